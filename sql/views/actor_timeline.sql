-- actor_timeline: per actor and month, how often it acted (source) and was acted upon
-- (target), by event type. Key: actor_id, month, event_type, role. Undated events have a null month.
CREATE OR REPLACE VIEW actor_timeline AS
WITH roles AS (
    SELECT source_actor_id AS actor_id, 'source' AS role, event_type, event_date, story_id FROM events
    UNION ALL
    SELECT target_actor_id AS actor_id, 'target' AS role, event_type, event_date, story_id FROM events
)
SELECT
    r.actor_id,
    a.name,
    a.kind,
    date_trunc('month', r.event_date) AS month,
    r.event_type,
    r.role,
    count(*) AS event_count,
    count(DISTINCT r.story_id) AS story_count
FROM roles AS r
LEFT JOIN actors AS a ON a.actor_id = r.actor_id
WHERE r.actor_id IS NOT NULL
GROUP BY ALL;
