SELECT
  events.event_id AS d_event,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.event_id
ORDER BY
  events.event_id ASC NULLS LAST
