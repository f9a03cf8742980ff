SELECT
  survey_answers.primary_question AS d_primary_question,
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
GROUP BY
  survey_answers.primary_question
ORDER BY
  CASE survey_answers.primary_question WHEN 'yes' THEN 1 WHEN 'no' THEN 2 ELSE 3 END ASC
