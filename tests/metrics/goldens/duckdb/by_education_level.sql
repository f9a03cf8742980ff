SELECT
  buyers.education_level AS d_education_level,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.education_level
ORDER BY
  CASE buyers.education_level
    WHEN 'basic'
    THEN 1
    WHEN 'middle'
    THEN 2
    WHEN 'high'
    THEN 3
    WHEN 'unknown'
    THEN 4
    ELSE 5
  END ASC
