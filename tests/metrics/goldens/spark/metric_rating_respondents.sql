SELECT
  COUNT(*) FILTER(WHERE
    survey_answers.main_rating IN ('yes')) AS m_rating_answers,
  COUNT(*) AS p_n,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.main_rating IN ('yes')) AS BIGINT) AS p_ck_rating_answers
FROM survey_answers
