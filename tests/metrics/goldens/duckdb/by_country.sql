SELECT
  organizations.country AS d_country,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN organizations
  ON buyers.org_id = organizations.org_id
GROUP BY
  organizations.country
ORDER BY
  CASE organizations.country
    WHEN 'NO'
    THEN 1
    WHEN 'SE'
    THEN 2
    WHEN 'DK'
    THEN 3
    WHEN 'FI'
    THEN 4
    WHEN 'IS'
    THEN 5
    ELSE 6
  END ASC
