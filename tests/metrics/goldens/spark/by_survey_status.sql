SELECT
  buyers.survey_status AS d_survey_status,
  COUNT(*) AS m_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) AS BIGINT) AS p_ck_buyers
FROM buyers
GROUP BY
  buyers.survey_status
ORDER BY
  CASE buyers.survey_status
    WHEN 'responded'
    THEN 1
    WHEN 'surveyed'
    THEN 2
    WHEN 'not_surveyed'
    THEN 3
    ELSE 4
  END ASC NULLS LAST
