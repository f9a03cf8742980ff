SELECT
  HOUR(buyers.first_purchased_at_local) AS d_purchased_at__hour,
  COUNT(*) AS m_buyers,
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  MAX(buyers.amount_eur) AS p_max_revenue_eur
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2025-10-26' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-10-27' AS DATE)
GROUP BY
  HOUR(buyers.first_purchased_at_local)
ORDER BY
  HOUR(buyers.first_purchased_at_local) ASC
