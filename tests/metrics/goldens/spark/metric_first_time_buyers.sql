SELECT
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('first_time')) AS m_first_time_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('first_time')) AS BIGINT) AS p_ck_first_time_buyers
FROM buyers
