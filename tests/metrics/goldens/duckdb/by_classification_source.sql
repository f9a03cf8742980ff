SELECT
  events.classification_source AS d_classification_source,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.classification_source
ORDER BY
  CASE events.classification_source
    WHEN 'source'
    THEN 1
    WHEN 'model'
    THEN 2
    WHEN 'model_low_confidence'
    THEN 3
    WHEN 'feedback'
    THEN 4
    ELSE 5
  END ASC
