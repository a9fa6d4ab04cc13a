-- What exactly do the sources say about two countries? Every event with its sentence and document.
-- One row per event between country_a and country_b (both directions, negated ones included
-- and flagged), oldest first, undated last. evidence is the sentence the event was coded from,
-- exactly as in documents.text[char_start:char_end]; source_path is the input file it came
-- from. The pair defaults to RUS and BLR: edit the codes below, or --set country_a=... --set
-- country_b=....
SET VARIABLE country_a = coalesce(getvariable('country_a'), 'RUS');
SET VARIABLE country_b = coalesce(getvariable('country_b'), 'BLR');

SELECT
    e.event_date,
    e.date_precision,
    e.event_type,
    e.event_mode,
    e.status,
    e.negated,
    e.source_country,
    e.source_name,
    e.target_country,
    e.target_name,
    e.evidence,
    e.document_title,
    e.document_outlet,
    e.document_published_date,
    d.source_path,
    e.document_url,
    e.num_sources,
    e.confidence,
    e.event_id
FROM events_enriched AS e
JOIN documents AS d ON d.doc_id = e.doc_id
WHERE (e.source_country = getvariable('country_a') AND e.target_country = getvariable('country_b'))
    OR (e.source_country = getvariable('country_b') AND e.target_country = getvariable('country_a'))
ORDER BY coalesce(e.event_date, e.document_published_date) NULLS LAST, e.event_type, e.event_id;
