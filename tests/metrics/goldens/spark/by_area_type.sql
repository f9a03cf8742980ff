SELECT
  buyers.area_type AS d_area_type,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.area_type
ORDER BY
  CASE buyers.area_type
    WHEN 'large_city'
    THEN 1
    WHEN 'city'
    THEN 2
    WHEN 'town'
    THEN 3
    WHEN 'rural'
    THEN 4
    WHEN 'unknown'
    THEN 5
    ELSE 6
  END ASC NULLS LAST
