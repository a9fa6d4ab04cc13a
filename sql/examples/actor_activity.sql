-- What did a named actor (a person, state or organisation) do, and to whom, month by month?
-- One row per month, role and event type: role 'source' is what the actor did, 'target' what
-- was done to it; counterparts are the countries on the other side. The actor is matched by
-- actor_id, country or organisation code, or part of its English name ('Putin' matches
-- Vladimir Putin); a state's code finds the state itself, not its officials (for everything a
-- country did, filter events on source_country). Undated events fall on their document's
-- publication month. Defaults to Putin: edit below, or --set actor=Lukashenko.
SET VARIABLE actor = coalesce(getvariable('actor'), 'Putin');

WITH matched AS (
    SELECT actor_id
    FROM actors
    WHERE actor_id = getvariable('actor')
        OR code = getvariable('actor')
        OR name ILIKE '%' || getvariable('actor') || '%'
),
roles AS (
    SELECT 'source' AS role, source_name AS actor_name, target_country AS counterpart, *
    FROM events_enriched
    WHERE source_actor_id IN (SELECT actor_id FROM matched)
    UNION ALL BY NAME
    SELECT 'target' AS role, target_name AS actor_name, source_country AS counterpart, *
    FROM events_enriched
    WHERE target_actor_id IN (SELECT actor_id FROM matched)
)
SELECT
    actor_name,
    CAST(date_trunc('month', coalesce(event_date, document_published_date)) AS DATE) AS month,
    role,
    event_type,
    count(*) FILTER (WHERE NOT negated) AS event_count,
    count(*) FILTER (WHERE negated) AS negated_count,
    count(DISTINCT story_id) AS story_count,
    string_agg(DISTINCT counterpart, ', ' ORDER BY counterpart) AS counterparts
FROM roles
GROUP BY ALL
ORDER BY actor_name, month NULLS LAST, role, event_type;
