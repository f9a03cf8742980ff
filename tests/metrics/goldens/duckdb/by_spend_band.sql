SELECT
  buyers.spend_band AS d_spend_band,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.spend_band
ORDER BY
  CASE buyers.spend_band
    WHEN '0-49'
    THEN 1
    WHEN '50-199'
    THEN 2
    WHEN '200-499'
    THEN 3
    WHEN '500+'
    THEN 4
    WHEN 'unknown'
    THEN 5
    ELSE 6
  END ASC
