SELECT
  events.event_category AS d_event_category,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.event_category
ORDER BY
  CASE events.event_category
    WHEN 'classical'
    THEN 1
    WHEN 'pop_rock'
    THEN 2
    WHEN 'jazz'
    THEN 3
    WHEN 'folk_world'
    THEN 4
    WHEN 'electronic'
    THEN 5
    WHEN 'drama'
    THEN 6
    WHEN 'comedy'
    THEN 7
    WHEN 'musical'
    THEN 8
    WHEN 'dance'
    THEN 9
    WHEN 'opera'
    THEN 10
    WHEN 'documentary'
    THEN 11
    WHEN 'feature_film'
    THEN 12
    WHEN 'children'
    THEN 13
    WHEN 'football'
    THEN 14
    WHEN 'handball'
    THEN 15
    WHEN 'ice_hockey'
    THEN 16
    WHEN 'other_sport'
    THEN 17
    WHEN 'art'
    THEN 18
    WHEN 'history'
    THEN 19
    WHEN 'literature'
    THEN 20
    WHEN 'other'
    THEN 21
    ELSE 22
  END ASC NULLS LAST
