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
  events.classification_source ASC NULLS LAST
