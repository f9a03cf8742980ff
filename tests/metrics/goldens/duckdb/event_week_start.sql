SELECT
  CAST(DATE_TRUNC('week', events.event_start_local) AS DATE) AS d_event_date__week,
  COUNT(DISTINCT buyers.event_sk) AS m_events,
  COUNT(*) AS p_n
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
WHERE
  events.event_start_local >= CAST('2020-12-28' AS DATE)
  AND events.event_start_local < CAST('2021-01-11' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('week', events.event_start_local) AS DATE)
ORDER BY
  CAST(DATE_TRUNC('week', events.event_start_local) AS DATE) ASC
