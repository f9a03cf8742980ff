SELECT
  organizations.org_type AS d_org_type,
  COUNT(*) AS m_buyers,
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('male')) AS m_male_buyers,
  COUNT(*) FILTER(WHERE
    buyers.gender IN ('female')) AS m_female_buyers,
  COUNT(*) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS m_young_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('male')) AS BIGINT) AS p_ck_male_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.gender IN ('female')) AS BIGINT) AS p_ck_female_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.age_group IN ('0-17', '18-24')) AS BIGINT) AS p_ck_young_buyers
FROM buyers
LEFT JOIN events
  ON buyers.event_sk = events.event_sk
LEFT JOIN organizations
  ON buyers.org_id = organizations.org_id
WHERE
  organizations.country IN ('NO', 'SE')
  AND NOT buyers.gender IN ('unknown')
  AND events.event_type = 'concert'
GROUP BY
  organizations.org_type
ORDER BY
  CASE organizations.org_type
    WHEN 'music'
    THEN 1
    WHEN 'theatre_performing_arts'
    THEN 2
    WHEN 'film_screening'
    THEN 3
    WHEN 'festival'
    THEN 4
    WHEN 'sports'
    THEN 5
    WHEN 'museum_heritage'
    THEN 6
    WHEN 'other'
    THEN 7
    ELSE 8
  END ASC NULLS LAST
