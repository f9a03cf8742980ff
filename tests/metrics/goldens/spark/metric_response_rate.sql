SELECT
  COUNT(*) FILTER(WHERE
    buyers.survey_status IN ('responded')) AS m_responding_buyers,
  COUNT(*) FILTER(WHERE
    buyers.survey_status IN ('responded', 'surveyed')) AS m_surveyed_buyers,
  COUNT(*) AS p_n,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.survey_status IN ('responded')) AS BIGINT) AS p_ck_responding_buyers,
  CAST(SUM(buyers.record_key) FILTER(WHERE
    buyers.survey_status IN ('responded', 'surveyed')) AS BIGINT) AS p_ck_surveyed_buyers
FROM buyers
