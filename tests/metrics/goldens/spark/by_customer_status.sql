SELECT
  buyers.customer_status AS d_customer_status,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.customer_status
ORDER BY
  CASE buyers.customer_status
    WHEN 'first_time'
    THEN 1
    WHEN 'returning'
    THEN 2
    WHEN 'unknown'
    THEN 3
    ELSE 4
  END ASC NULLS LAST
