SELECT
  organizations.org_type AS d_org_type,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN organizations
  ON buyers.org_id = organizations.org_id
GROUP BY
  organizations.org_type
ORDER BY
  CASE organizations.org_type
    WHEN 'music'
    THEN 1
    WHEN 'theatre_performing_arts'
    THEN 2
    WHEN 'film_screening'
    THEN 3
    WHEN 'festival'
    THEN 4
    WHEN 'sports'
    THEN 5
    WHEN 'museum_heritage'
    THEN 6
    WHEN 'other'
    THEN 7
    ELSE 8
  END ASC NULLS LAST
