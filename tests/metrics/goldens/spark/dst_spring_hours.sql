SELECT
  HOUR(buyers.first_purchased_at_local) AS d_purchased_at__hour,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2025-03-30' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-03-31' AS DATE)
GROUP BY
  HOUR(buyers.first_purchased_at_local)
ORDER BY
  HOUR(buyers.first_purchased_at_local) ASC NULLS LAST
