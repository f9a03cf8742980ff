SELECT
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE) AS d_purchased_at__week,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE)
ORDER BY
  CAST(DATE_TRUNC('week', buyers.first_purchased_at_local) AS DATE) ASC
