SELECT
  buyers.buyer_region AS d_buyer_region,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.buyer_region
ORDER BY
  buyers.buyer_region ASC NULLS LAST
