SELECT
  buyers.org_id AS d_organization,
  buyers.buyer_country AS d_buyer_country,
  buyers.age_group AS d_age_group,
  buyers.gender AS d_gender,
  CAST(buyers.first_purchased_at_local AS DATE) AS t_purchased_at__day,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.org_id,
  buyers.buyer_country,
  buyers.age_group,
  buyers.gender,
  CAST(buyers.first_purchased_at_local AS DATE)
ORDER BY
  t_purchased_at__day,
  d_organization,
  d_buyer_country,
  d_age_group,
  d_gender
