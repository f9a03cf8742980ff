SELECT
  CAST(SUM(buyers.customer_count) AS BIGINT) AS m_customers,
  COUNT(*) AS p_n,
  MAX(buyers.customer_count) AS p_max_customers
FROM buyers
