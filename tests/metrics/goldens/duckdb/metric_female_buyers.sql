SELECT
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('female')) AS m_female_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('female')) AS BIGINT) AS p_ck_female_buyers
FROM buyers
