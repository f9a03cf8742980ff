SELECT
  buyers.buyer_country AS d_buyer_country,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.buyer_country
ORDER BY
  buyers.buyer_country ASC NULLS LAST
