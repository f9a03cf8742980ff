SELECT
  CAST(SUM(survey_answers.nps_points) AS BIGINT) AS m_nps_points,
  COUNT(*) FILTER(WHERE
    survey_answers.question_kind IN ('nps')) AS m_nps_answers,
  COUNT(*) AS p_n,
  MAX(survey_answers.nps_points) AS p_max_nps_points,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.question_kind IN ('nps')) AS BIGINT) AS p_ck_nps_answers
FROM survey_answers
