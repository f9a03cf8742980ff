SELECT
  events.region AS d_region,
  CAST(DATE_TRUNC('MONTH', buyers.first_purchased_at_local) AS DATE) AS d_purchased_at__month,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
GROUP BY
  events.region,
  CAST(DATE_TRUNC('MONTH', buyers.first_purchased_at_local) AS DATE)
ORDER BY
  events.region ASC NULLS LAST,
  CAST(DATE_TRUNC('MONTH', buyers.first_purchased_at_local) AS DATE) ASC NULLS LAST
