SELECT
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  COUNT(*) AS p_n,
  MAX(buyers.tickets) AS p_max_tickets
FROM buyers
