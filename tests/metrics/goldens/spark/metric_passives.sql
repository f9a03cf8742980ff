SELECT
  COUNT(*) FILTER(WHERE
    survey_answers.nps_group IN ('passive')) AS m_passives,
  COUNT(*) FILTER(WHERE
    survey_answers.question_kind IN ('nps')) AS m_nps_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.nps_group IN ('passive')) AS BIGINT) AS p_ck_passives,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.question_kind IN ('nps')) AS BIGINT) AS p_ck_nps_answers
FROM survey_answers
