SELECT
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS m_returning_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS BIGINT) AS p_ck_returning_buyers
FROM buyers
