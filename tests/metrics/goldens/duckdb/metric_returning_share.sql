SELECT
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS m_returning_buyers,
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('first_time', 'returning')) AS m_known_status_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS BIGINT) AS p_ck_returning_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('first_time', 'returning')) AS BIGINT) AS p_ck_known_status_buyers
FROM buyers
