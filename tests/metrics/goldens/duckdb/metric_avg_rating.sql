SELECT
  CAST(SUM(CAST(ROUND(survey_answers.rating_value * 1000000) AS BIGINT)) AS BIGINT) / CAST(1000000 AS DOUBLE) AS m_rating_sum,
  COUNT(*) FILTER(WHERE
    survey_answers.main_rating IN ('yes')) AS m_rating_answers,
  COUNT(*) AS p_n,
  MAX(survey_answers.rating_value) AS p_max_rating_sum,
  CAST(SUM(survey_answers.record_key) FILTER(WHERE
    survey_answers.main_rating IN ('yes')) AS BIGINT) AS p_ck_rating_answers
FROM survey_answers
