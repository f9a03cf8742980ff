SELECT
  COUNT(DISTINCT buyers.event_sk) AS m_events,
  COUNT(*) AS p_n
FROM buyers
