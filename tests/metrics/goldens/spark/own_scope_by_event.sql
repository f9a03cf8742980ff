SELECT
  events.event_id AS d_event,
  COUNT(*) AS m_buyers,
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  MAX(buyers.tickets) AS p_max_tickets,
  MAX(buyers.amount_eur) AS p_max_revenue_eur
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
WHERE
  buyers.org_id IN ('org-001')
GROUP BY
  events.event_id
ORDER BY
  events.event_id ASC NULLS LAST
