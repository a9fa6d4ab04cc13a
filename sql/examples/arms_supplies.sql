-- Who supplied arms to whom?
-- One row per supplier -> recipient, most stories first: AID events in the military mode
-- (weapons, ammunition, equipment; also troops sent to fight for an ally and training of its
-- soldiers), negated ones ("does not supply lethal weapons") left out. occurred_count are
-- deliveries reported as made, announced_count those announced or planned. Dates are the event
-- dates, or the document's publication date for undated events. example_evidence is the most
-- confident sentence; read all of them with the dyad_evidence example.
SELECT
    source_country AS supplier,
    target_country AS recipient,
    count(*) AS event_count,
    count(DISTINCT story_id) AS story_count,
    count(*) FILTER (WHERE status = 'occurred') AS occurred_count,
    count(*) FILTER (WHERE status <> 'occurred') AS announced_count,
    min(coalesce(event_date, document_published_date)) AS first_date,
    max(coalesce(event_date, document_published_date)) AS last_date,
    max(num_sources) AS max_sources,
    arg_max(evidence, confidence) AS example_evidence
FROM events_enriched
WHERE event_type = 'AID'
    AND event_mode = 'military'
    AND cameo_code <> '074'  -- CAMEO 074 is peacekeepers and territory, not arms
    AND NOT negated
GROUP BY source_country, target_country
ORDER BY story_count DESC, last_date DESC NULLS LAST, supplier, recipient;
