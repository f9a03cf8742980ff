SELECT
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1 AS d_purchased_at__weekday,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1
ORDER BY
  (
    (
      DAYOFWEEK(buyers.first_purchased_at_local) + 5
    ) % 7
  ) + 1 ASC NULLS LAST
