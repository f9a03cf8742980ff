SELECT
  survey_answers.main_rating AS d_main_rating,
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
GROUP BY
  survey_answers.main_rating
ORDER BY
  CASE survey_answers.main_rating WHEN 'yes' THEN 1 WHEN 'no' THEN 2 ELSE 3 END ASC
