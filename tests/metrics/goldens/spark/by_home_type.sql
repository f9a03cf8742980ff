SELECT
  buyers.home_type AS d_home_type,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.home_type
ORDER BY
  CASE buyers.home_type
    WHEN 'single_family'
    THEN 1
    WHEN 'row_house'
    THEN 2
    WHEN 'apartment'
    THEN 3
    WHEN 'other'
    THEN 4
    WHEN 'unknown'
    THEN 5
    ELSE 6
  END ASC NULLS LAST
