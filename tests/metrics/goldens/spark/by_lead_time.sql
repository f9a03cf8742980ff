SELECT
  buyers.lead_time_band AS d_lead_time,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.lead_time_band
ORDER BY
  CASE buyers.lead_time_band
    WHEN '0'
    THEN 1
    WHEN '1-6'
    THEN 2
    WHEN '7-13'
    THEN 3
    WHEN '14-29'
    THEN 4
    WHEN '30-89'
    THEN 5
    WHEN '90+'
    THEN 6
    ELSE 7
  END ASC NULLS LAST
