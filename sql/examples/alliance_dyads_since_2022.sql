-- Which pairs of countries agreed, cooperated, supported or consulted each other since 2022, and from when to when?
-- One row per unordered pair (country_a < country_b), most stories first. An event counts when
-- its date, or for an undated event its document's publication date, is on or after `since`
-- (dated_by_publication says how many were undated); negated events are left out. event_count
-- counts coded sentences, story_count distinct happenings (the better measure), occurred_count
-- those reported as done (the rest were announced or planned), max_sources the most documents
-- behind one of the stories. Other start date: --set since=2023-06-01 (or edit the default).
SET VARIABLE since = CAST(coalesce(getvariable('since'), '2022-01-01') AS DATE);

WITH alliance_events AS (
    SELECT
        least(source_country, target_country) AS country_a,
        greatest(source_country, target_country) AS country_b,
        coalesce(event_date, document_published_date) AS happened_on,
        event_date IS NULL AS is_undated,
        event_type,
        status,
        story_id,
        num_sources
    FROM events_enriched
    WHERE event_type IN ('AGREE', 'COOPERATE', 'SUPPORT', 'CONSULT')
        AND NOT negated
)
SELECT
    country_a,
    country_b,
    min(happened_on) AS first_date,
    max(happened_on) AS last_date,
    count(*) AS event_count,
    count(DISTINCT story_id) AS story_count,
    count(*) FILTER (WHERE status = 'occurred') AS occurred_count,
    count(*) FILTER (WHERE event_type = 'AGREE') AS agree_count,
    count(*) FILTER (WHERE event_type = 'COOPERATE') AS cooperate_count,
    count(*) FILTER (WHERE event_type = 'SUPPORT') AS support_count,
    count(*) FILTER (WHERE event_type = 'CONSULT') AS consult_count,
    max(num_sources) AS max_sources,
    count(*) FILTER (WHERE is_undated) AS dated_by_publication
FROM alliance_events
WHERE happened_on >= getvariable('since')
GROUP BY country_a, country_b
ORDER BY story_count DESC, last_date DESC, country_a, country_b;
