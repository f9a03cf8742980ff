SELECT
  CAST(DATE_TRUNC('WEEK', buyers.first_purchased_at_local) AS DATE) AS d_purchased_at__week,
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1 AS d_purchased_at__weekday,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
WHERE
  buyers.first_purchased_at_local >= CAST('2024-12-23' AS DATE)
  AND buyers.first_purchased_at_local < CAST('2025-01-06' AS DATE)
GROUP BY
  CAST(DATE_TRUNC('WEEK', buyers.first_purchased_at_local) AS DATE),
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1
ORDER BY
  CAST(DATE_TRUNC('WEEK', buyers.first_purchased_at_local) AS DATE) ASC NULLS LAST,
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1 ASC NULLS LAST
