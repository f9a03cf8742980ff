SELECT
  buyers.age_group AS d_age_group,
  COUNT(*) AS m_buyers,
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  MAX(buyers.amount_eur) AS p_max_revenue_eur
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2025-01-01' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-04-01' AS DATE)
GROUP BY
  buyers.age_group
ORDER BY
  CASE buyers.age_group
    WHEN '0-17'
    THEN 1
    WHEN '18-24'
    THEN 2
    WHEN '25-34'
    THEN 3
    WHEN '35-44'
    THEN 4
    WHEN '45-54'
    THEN 5
    WHEN '55-64'
    THEN 6
    WHEN '65-74'
    THEN 7
    WHEN '75+'
    THEN 8
    WHEN 'unknown'
    THEN 9
    ELSE 10
  END ASC
