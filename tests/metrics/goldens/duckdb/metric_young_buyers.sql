SELECT
  COUNT(*) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS m_young_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS BIGINT) AS p_ck_young_buyers
FROM buyers
