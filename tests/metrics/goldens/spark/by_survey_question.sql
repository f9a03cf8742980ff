SELECT
  survey_answers.question_key AS d_survey_question,
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
GROUP BY
  survey_answers.question_key
ORDER BY
  survey_answers.question_key ASC NULLS LAST
