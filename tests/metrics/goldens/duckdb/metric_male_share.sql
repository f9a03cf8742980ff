SELECT
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('male')) AS m_male_buyers,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('male')) AS BIGINT) AS p_ck_male_buyers,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
