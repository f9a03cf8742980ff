SELECT
  buyers.gender AS d_gender,
  buyers.org_id AS d_organization,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
WHERE
  buyers.org_id IN ('org-002', 'org-003', 'org-004')
  AND NOT buyers.org_id IN ('org-001')
GROUP BY
  buyers.gender,
  buyers.org_id
ORDER BY
  CASE buyers.gender
    WHEN 'male'
    THEN 1
    WHEN 'female'
    THEN 2
    WHEN 'unknown'
    THEN 3
    ELSE 4
  END ASC NULLS LAST,
  buyers.org_id ASC NULLS LAST
