SELECT
  CAST(SUM(buyers.tickets) AS BIGINT) AS m_tickets,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  MAX(buyers.tickets) AS p_max_tickets,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
