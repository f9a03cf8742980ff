SELECT
  CAST(buyers.first_purchased_at_local AS DATE) AS d_purchased_at__day,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2025-06-30' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-07-02' AS DATE)
GROUP BY
  CAST(buyers.first_purchased_at_local AS DATE)
ORDER BY
  CAST(buyers.first_purchased_at_local AS DATE) ASC NULLS LAST
