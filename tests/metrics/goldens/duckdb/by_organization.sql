SELECT
  buyers.org_id AS d_organization,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.org_id
ORDER BY
  buyers.org_id ASC
