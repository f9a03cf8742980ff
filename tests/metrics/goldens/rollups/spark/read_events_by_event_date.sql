SELECT
  (
    (
      DAYOFWEEK(events.event_start_local) + 5
    ) % 7
  ) + 1 AS d_event_date__weekday,
  rollup_events.d_organization AS d_organization,
  COUNT(DISTINCT rollup_events.k_event_sk) AS m_events,
  CAST(COALESCE(SUM(rollup_events.p_n), 0) AS BIGINT) AS p_n
FROM rollup_events
LEFT JOIN events
  ON rollup_events.k_event_sk = events.event_sk
GROUP BY
  (
    (
      DAYOFWEEK(events.event_start_local) + 5
    ) % 7
  ) + 1,
  rollup_events.d_organization
ORDER BY
  (
    (
      DAYOFWEEK(events.event_start_local) + 5
    ) % 7
  ) + 1 ASC NULLS LAST,
  rollup_events.d_organization ASC NULLS LAST
