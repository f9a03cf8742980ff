SELECT
  events.region AS d_region,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.region
ORDER BY
  events.region ASC
