SELECT
  buyers.purchasing_power AS d_purchasing_power,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.purchasing_power
ORDER BY
  CASE buyers.purchasing_power
    WHEN 'low'
    THEN 1
    WHEN 'medium'
    THEN 2
    WHEN 'high'
    THEN 3
    WHEN 'unknown'
    THEN 4
    ELSE 5
  END ASC
