-- events_enriched: events with the names of their actors and the title, outlet and date of
-- their document. Key: event_id.
CREATE OR REPLACE VIEW events_enriched AS
SELECT
    e.*,
    src.name AS source_name,
    src.kind AS source_kind,
    tgt.name AS target_name,
    tgt.kind AS target_kind,
    d.title AS document_title,
    d.outlet AS document_outlet,
    d.published_date AS document_published_date,
    d.source_url AS document_url
FROM events AS e
LEFT JOIN actors AS src ON src.actor_id = e.source_actor_id
LEFT JOIN actors AS tgt ON tgt.actor_id = e.target_actor_id
LEFT JOIN documents AS d ON d.doc_id = e.doc_id;
