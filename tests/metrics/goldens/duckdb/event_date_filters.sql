SELECT
  ISODOW(events.event_start_local) AS d_event_date__weekday,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
WHERE
  CAST(buyers.first_purchased_at_local AS DATE) IN (CAST('2025-02-14' AS DATE))
  AND events.event_start_local >= CAST('2025-03-01' AS DATE)
  AND events.event_start_local < CAST('2025-04-01' AS DATE)
GROUP BY
  ISODOW(events.event_start_local)
ORDER BY
  ISODOW(events.event_start_local) ASC
