SELECT
  organizations.country AS d_country,
  CAST(DATE_TRUNC('WEEK', rollup_org_day.t_purchased_at__day) AS DATE) AS d_purchased_at__week,
  rollup_org_day.d_organization AS d_organization,
  CAST(COALESCE(SUM(rollup_org_day.m_buyers), 0) AS BIGINT) AS m_buyers,
  CAST(SUM(rollup_org_day.m_tickets) AS BIGINT) AS m_tickets,
  CAST(COALESCE(SUM(rollup_org_day.p_n), 0) AS BIGINT) AS p_n,
  CAST(SUM(rollup_org_day.p_ck_buyers) AS BIGINT) AS p_ck_buyers,
  MAX(rollup_org_day.p_max_tickets) AS p_max_tickets
FROM rollup_org_day
LEFT JOIN organizations
  ON rollup_org_day.d_organization = organizations.org_id
WHERE
  rollup_org_day.t_purchased_at__day >= CAST('2025-01-15' AS DATE)
  AND rollup_org_day.t_purchased_at__day < CAST('2025-04-11' AS DATE)
GROUP BY
  organizations.country,
  CAST(DATE_TRUNC('WEEK', rollup_org_day.t_purchased_at__day) AS DATE),
  rollup_org_day.d_organization
ORDER BY
  CASE organizations.country
    WHEN 'NO'
    THEN 1
    WHEN 'SE'
    THEN 2
    WHEN 'DK'
    THEN 3
    WHEN 'FI'
    THEN 4
    WHEN 'IS'
    THEN 5
    ELSE 6
  END ASC NULLS LAST,
  CAST(DATE_TRUNC('WEEK', rollup_org_day.t_purchased_at__day) AS DATE) ASC NULLS LAST,
  rollup_org_day.d_organization ASC NULLS LAST
