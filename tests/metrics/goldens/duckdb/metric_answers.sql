SELECT
  COUNT(*) AS m_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) AS BIGINT) AS p_ck_answers
FROM survey_answers
