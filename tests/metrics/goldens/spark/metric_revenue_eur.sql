SELECT
  SUM(buyers.amount_eur) AS m_revenue_eur,
  COUNT(*) AS p_n,
  MAX(buyers.amount_eur) AS p_max_revenue_eur
FROM buyers
