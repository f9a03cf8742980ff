SELECT
  ISODOW(events.event_start_local) AS d_event_date__weekday,
  rollup_events.d_organization AS d_organization,
  COUNT(DISTINCT rollup_events.k_event_sk) AS m_events,
  CAST(COALESCE(SUM(rollup_events.p_n), 0) AS BIGINT) AS p_n
FROM rollup_events
LEFT JOIN events
  ON rollup_events.k_event_sk = events.event_sk
GROUP BY
  ISODOW(events.event_start_local),
  rollup_events.d_organization
ORDER BY
  ISODOW(events.event_start_local) ASC,
  rollup_events.d_organization ASC
