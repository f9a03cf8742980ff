SELECT
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  COUNT(*) AS p_n,
  MAX(buyers.amount_eur) AS p_max_revenue_eur
FROM buyers
