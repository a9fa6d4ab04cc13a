-- Which happenings were reported by the most sources?
-- One row per story (the same real-world happening across documents) with at least
-- `min_sources` documents behind it, best covered first; negated events ("has not sent troops")
-- are left out. num_sources counts republished copies too, so compare the outlets: one wire
-- story printed twice is one source in two places. outlets and titles list the documents behind
-- the story, evidence is its most confident sentence, happened_on the event date or, for an
-- undated story, the first publication date. Threshold: --set min_sources=3 (default 2).
SET VARIABLE min_sources = CAST(coalesce(getvariable('min_sources'), '2') AS INTEGER);

WITH story_documents AS (
    -- the documents of a story's events, with their duplicates
    SELECT DISTINCT e.story_id, d.doc_id, d.outlet, d.title, d.published_date
    FROM events AS e
    JOIN documents AS d ON d.doc_id = e.doc_id OR d.duplicate_of = e.doc_id
),
documents_per_story AS (
    SELECT
        story_id,
        min(published_date) AS first_published,
        string_agg(DISTINCT outlet, '; ' ORDER BY outlet) AS outlets,
        string_agg(DISTINCT title, '; ' ORDER BY title) AS titles
    FROM story_documents
    GROUP BY story_id
)
SELECT
    max(e.num_sources) AS num_sources,
    coalesce(min(e.event_date), any_value(s.first_published)) AS happened_on,
    any_value(e.event_type) AS event_type,
    any_value(e.source_country) AS source_country,
    any_value(e.target_country) AS target_country,
    any_value(s.outlets) AS outlets,
    arg_max(e.evidence, e.confidence) AS evidence,
    any_value(s.titles) AS titles,
    count(*) AS event_count,
    e.story_id
FROM events AS e
JOIN documents_per_story AS s ON s.story_id = e.story_id
WHERE NOT e.negated
GROUP BY e.story_id
HAVING max(e.num_sources) >= getvariable('min_sources')
ORDER BY num_sources DESC, happened_on DESC NULLS LAST, e.story_id;
