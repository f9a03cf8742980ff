SELECT
  buyers.frequency_band AS d_frequency_band,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.frequency_band
ORDER BY
  CASE buyers.frequency_band
    WHEN '1'
    THEN 1
    WHEN '2'
    THEN 2
    WHEN '3-5'
    THEN 3
    WHEN '6+'
    THEN 4
    WHEN 'unknown'
    THEN 5
    ELSE 6
  END ASC
