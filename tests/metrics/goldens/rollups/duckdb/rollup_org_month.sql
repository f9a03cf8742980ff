SELECT
  buyers.org_id AS d_organization,
  events.region AS d_region,
  events.event_type AS d_event_type,
  events.event_category AS d_event_category,
  CAST(DATE_TRUNC('month', buyers.first_purchased_at_local) AS DATE) AS t_purchased_at__month,
  COUNT(*) AS m_buyers,
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('male')) AS m_male_buyers,
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('female')) AS m_female_buyers,
  COUNT(*) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS m_young_buyers,
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('first_time')) AS m_first_time_buyers,
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS m_returning_buyers,
  COUNT(*) FILTER(WHERE
    buyers.customer_status IN ('first_time', 'returning')) AS m_known_status_buyers,
  CAST(SUM(buyers.lead_time_days) AS BIGINT) AS m_lead_time_days,
  CAST(SUM(buyers.customer_count) AS BIGINT) AS m_customers,
  COUNT(*) FILTER(WHERE
    buyers.survey_status IN ('responded', 'surveyed')) AS m_surveyed_buyers,
  COUNT(*) FILTER(WHERE
    buyers.survey_status IN ('responded')) AS m_responding_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  MAX(buyers.tickets) AS p_max_tickets,
  MAX(buyers.amount_eur) AS p_max_revenue_eur,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('male')) AS BIGINT) AS p_ck_male_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('female')) AS BIGINT) AS p_ck_female_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS BIGINT) AS p_ck_young_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('first_time')) AS BIGINT) AS p_ck_first_time_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('returning')) AS BIGINT) AS p_ck_returning_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.customer_status IN ('first_time', 'returning')) AS BIGINT) AS p_ck_known_status_buyers,
  MAX(buyers.lead_time_days) AS p_max_lead_time_days,
  MAX(buyers.customer_count) AS p_max_customers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.survey_status IN ('responded', 'surveyed')) AS BIGINT) AS p_ck_surveyed_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.survey_status IN ('responded')) AS BIGINT) AS p_ck_responding_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  buyers.org_id,
  events.region,
  events.event_type,
  events.event_category,
  CAST(DATE_TRUNC('month', buyers.first_purchased_at_local) AS DATE)
ORDER BY
  t_purchased_at__month,
  d_organization,
  d_region,
  d_event_type,
  d_event_category
