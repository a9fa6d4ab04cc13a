-- dyads: who acts with whom, since when. One row per unordered pair of countries or
-- organisations (key: country_a, country_b with country_a < country_b), over events that
-- were not negated: first and last event date, events per PLOVER type, distinct sources.
CREATE OR REPLACE VIEW dyads AS
SELECT
    least(source_country, target_country) AS country_a,
    greatest(source_country, target_country) AS country_b,
    min(event_date) AS first_event_date,
    max(event_date) AS last_event_date,
    count(*) AS event_count,
    count(DISTINCT story_id) AS story_count,
    count(DISTINCT doc_id) AS document_count,
    max(num_sources) AS max_sources_per_story,
    count(*) FILTER (WHERE event_type = 'AGREE') AS agree_count,
    count(*) FILTER (WHERE event_type = 'CONSULT') AS consult_count,
    count(*) FILTER (WHERE event_type = 'SUPPORT') AS support_count,
    count(*) FILTER (WHERE event_type = 'COOPERATE') AS cooperate_count,
    count(*) FILTER (WHERE event_type = 'AID') AS aid_count,
    count(*) FILTER (WHERE event_type = 'MOBILIZE') AS mobilize_count,
    count(*) FILTER (WHERE event_type = 'THREATEN') AS threaten_count,
    count(*) FILTER (WHERE event_type = 'ACCUSE') AS accuse_count,
    count(*) FILTER (WHERE event_type = 'REJECT') AS reject_count,
    count(*) FILTER (WHERE event_type = 'REQUEST') AS request_count,
    count(*) FILTER (WHERE event_type = 'SANCTION') AS sanction_count,
    count(*) FILTER (WHERE event_type = 'COERCE') AS coerce_count,
    count(*) FILTER (WHERE event_type = 'ASSAULT') AS assault_count,
    count(*) FILTER (WHERE event_type = 'PROTEST') AS protest_count,
    count(*) FILTER (WHERE event_type = 'CONCEDE') AS concede_count,
    count(*) FILTER (WHERE event_type = 'RETREAT') AS retreat_count
FROM events
WHERE NOT negated
GROUP BY 1, 2;
