SELECT
  COUNT(*) FILTER(WHERE
    survey_answers.primary_question IN ('yes')) AS m_respondents,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.primary_question IN ('yes')) AS BIGINT) AS p_ck_respondents
FROM survey_answers
