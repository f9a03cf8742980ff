SELECT
  survey_answers.question_kind AS d_question_kind,
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
GROUP BY
  survey_answers.question_kind
ORDER BY
  CASE survey_answers.question_kind
    WHEN 'nps'
    THEN 1
    WHEN 'rating'
    THEN 2
    WHEN 'choice'
    THEN 3
    ELSE 4
  END ASC
