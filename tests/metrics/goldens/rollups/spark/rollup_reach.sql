SELECT
  buyers.org_id AS d_organization,
  events.region AS d_region,
  events.event_type AS d_event_type,
  events.event_category AS d_event_category,
  buyers.buyer_country AS d_buyer_country,
  buyers.buyer_region AS d_buyer_region,
  buyers.age_group AS d_age_group,
  buyers.gender AS d_gender,
  COUNT(*) AS m_buyers,
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  CAST(SUM(buyers.customer_count) AS BIGINT) AS m_customers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  MAX(buyers.tickets) AS p_max_tickets,
  MAX(buyers.amount_eur) AS p_max_revenue_eur,
  MAX(buyers.customer_count) AS p_max_customers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  buyers.org_id,
  events.region,
  events.event_type,
  events.event_category,
  buyers.buyer_country,
  buyers.buyer_region,
  buyers.age_group,
  buyers.gender
ORDER BY
  d_organization,
  d_region,
  d_event_type,
  d_event_category,
  d_buyer_country,
  d_buyer_region,
  d_age_group,
  d_gender
