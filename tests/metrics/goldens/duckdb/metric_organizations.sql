SELECT
  COUNT(DISTINCT buyers.org_id) AS m_organizations,
  COUNT(*) AS p_n
FROM buyers
