SELECT
  survey_answers.nps_group AS d_nps_group,
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
GROUP BY
  survey_answers.nps_group
ORDER BY
  CASE survey_answers.nps_group
    WHEN 'promoter'
    THEN 1
    WHEN 'passive'
    THEN 2
    WHEN 'detractor'
    THEN 3
    WHEN 'none'
    THEN 4
    ELSE 5
  END ASC
