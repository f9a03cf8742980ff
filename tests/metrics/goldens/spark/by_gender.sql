SELECT
  buyers.gender AS d_gender,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.gender
ORDER BY
  CASE buyers.gender
    WHEN 'male'
    THEN 1
    WHEN 'female'
    THEN 2
    WHEN 'unknown'
    THEN 3
    ELSE 4
  END ASC NULLS LAST
