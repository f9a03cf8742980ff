SELECT
  CAST(SUM(CAST(ROUND(buyers.amount_eur * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_revenue_eur,
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  COUNT(*) AS p_n,
  MAX(buyers.amount_eur) AS p_max_revenue_eur,
  MAX(buyers.tickets) AS p_max_tickets
FROM buyers
