SELECT
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE) AS d_purchased_at__week,
  ISODOW(buyers.first_purchased_at_local) AS d_purchased_at__weekday,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2024-12-23' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-01-06' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE),
  ISODOW(buyers.first_purchased_at_local)
ORDER BY
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE) ASC,
  ISODOW(buyers.first_purchased_at_local) ASC
