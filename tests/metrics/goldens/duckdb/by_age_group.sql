SELECT
  buyers.age_group AS d_age_group,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.age_group
ORDER BY
  CASE buyers.age_group
    WHEN '0-17'
    THEN 1
    WHEN '18-24'
    THEN 2
    WHEN '25-34'
    THEN 3
    WHEN '35-44'
    THEN 4
    WHEN '45-54'
    THEN 5
    WHEN '55-64'
    THEN 6
    WHEN '65-74'
    THEN 7
    WHEN '75+'
    THEN 8
    WHEN 'unknown'
    THEN 9
    ELSE 10
  END ASC
