SELECT
  events.event_type AS d_event_type,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.event_type
ORDER BY
  CASE events.event_type
    WHEN 'concert'
    THEN 1
    WHEN 'play'
    THEN 2
    WHEN 'opera_ballet'
    THEN 3
    WHEN 'screening'
    THEN 4
    WHEN 'festival'
    THEN 5
    WHEN 'sports_event'
    THEN 6
    WHEN 'exhibition'
    THEN 7
    WHEN 'talk'
    THEN 8
    WHEN 'standup_comedy'
    THEN 9
    WHEN 'family_show'
    THEN 10
    WHEN 'other'
    THEN 11
    ELSE 12
  END ASC NULLS LAST
