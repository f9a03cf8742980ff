SELECT
  CAST(DATE_TRUNC('quarter', events.event_start_local) AS DATE) AS d_event_date__quarter,
  COUNT(DISTINCT buyers.event_sk) AS m_events,
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  COUNT(*) AS p_n,
  MAX(buyers.tickets) AS p_max_tickets
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  CAST(DATE_TRUNC('quarter', events.event_start_local) AS DATE)
ORDER BY
  CAST(DATE_TRUNC('quarter', events.event_start_local) AS DATE) ASC
