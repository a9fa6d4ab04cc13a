-- How many events happened between two countries each month?
-- One row per month (its first day; events dated only to the year fall on January, undated
-- events on their document's publication month, counted in dated_by_publication), in both
-- directions, negated events left out. a_to_b_count and b_to_a_count split the events by who
-- acted; event_types lists the PLOVER types of the month. The pair defaults to RUS and BLR:
-- edit the codes below, or --set country_a=PRK --set country_b=RUS.
SET VARIABLE country_a = coalesce(getvariable('country_a'), 'RUS');
SET VARIABLE country_b = coalesce(getvariable('country_b'), 'BLR');

SELECT
    getvariable('country_a') AS country_a,
    getvariable('country_b') AS country_b,
    CAST(date_trunc('month', coalesce(event_date, document_published_date)) AS DATE) AS month,
    count(*) AS event_count,
    count(DISTINCT story_id) AS story_count,
    count(*) FILTER (WHERE source_country = getvariable('country_a')) AS a_to_b_count,
    count(*) FILTER (WHERE source_country = getvariable('country_b')) AS b_to_a_count,
    string_agg(DISTINCT event_type, ', ' ORDER BY event_type) AS event_types,
    count(*) FILTER (WHERE event_date IS NULL) AS dated_by_publication
FROM events_enriched
WHERE NOT negated
    AND (
        (source_country = getvariable('country_a') AND target_country = getvariable('country_b'))
        OR (source_country = getvariable('country_b') AND target_country = getvariable('country_a'))
    )
GROUP BY ALL
ORDER BY month NULLS LAST;
