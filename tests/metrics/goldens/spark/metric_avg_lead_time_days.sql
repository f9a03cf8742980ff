SELECT
  CAST(SUM(buyers.lead_time_days) AS BIGINT) AS m_lead_time_days,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  MAX(buyers.lead_time_days) AS p_max_lead_time_days,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
