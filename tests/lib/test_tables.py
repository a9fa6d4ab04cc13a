"""Dedup, stories, settings and evaluation scoring."""

import json
from datetime import date

import polars as pl

from pipeline.lib.dedup import mark_duplicates
from pipeline.lib.evaluation import score_actors, score_events
from pipeline.lib.events.stories import assign_stories
from pipeline.lib.settings import Settings


def test_canonical_is_earliest_then_longest_then_path():
    documents = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e"],
            "source_path": ["x", "y", "z", "w", "v"],
            "published_date": [date(2024, 1, 2), date(2024, 1, 1), None, None, None],
            "char_count": [10, 5, 7, 9, 3],
            "text_sha256": ["h1", "h1", "h2", "h2", "h3"],
            "minhash": pl.Series([None] * 5, dtype=pl.Binary),  # exact copies need no signature
        }
    )
    marked = dict(mark_duplicates(documents, 0.4).select("doc_id", "duplicate_of").iter_rows())
    assert marked == {"a": "b", "b": None, "c": "d", "d": None, "e": None}


def _events(rows):
    schema = {
        "event_id": pl.String,
        "doc_id": pl.String,
        "event_type": pl.String,
        "source_country": pl.String,
        "target_country": pl.String,
        "event_date": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_stories_group_same_happening_and_count_copies_as_sources():
    events = _events(
        [
            ("e1", "d1", "AGREE", "RUS", "PRK", date(2024, 6, 19)),
            ("e2", "d2", "AGREE", "PRK", "RUS", date(2024, 6, 20)),  # undirected: same dyad
            ("e3", "d3", "AID", "PRK", "RUS", date(2024, 6, 19)),
            ("e4", "d3", "AID", "RUS", "PRK", date(2024, 6, 19)),  # directed: other direction, other story
            ("e5", "d1", "AGREE", "RUS", "PRK", date(2023, 1, 1)),  # another month
        ]
    )
    documents = pl.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d2copy"],
            "duplicate_of": [None, None, None, "d2"],
            "published_date": [date(2024, 6, 20)] * 4,
        }
    )
    stories = assign_stories(events, documents).sort("event_id")
    story = dict(stories.select("event_id", "story_id").iter_rows())
    sources = dict(stories.select("event_id", "num_sources").iter_rows())
    assert story["e1"] == story["e2"] and len(set(story.values())) == 4
    assert sources["e1"] == 3  # d1, d2 and d2's copy
    assert sources["e3"] == 1 and sources["e5"] == 1


def test_settings_from_environment():
    settings = Settings.from_env(
        {
            "ALLIANCE_LANGUAGES": "de,en",
            "ALLIANCE_SPACY_MODELS": "de=de_core_news_md",
            "ALLIANCE_MAX_FILE_MB": "2.5",
            "ALLIANCE_OUTPUT_DIR": "/tmp/x",
        },
        input_dir="/in",
    )
    assert settings.languages == ["de", "en"]
    assert settings.spacy_models == {"de": "de_core_news_md"}
    assert settings.max_file_mb == 2.5
    assert str(settings.input_dir) == "/in" and str(settings.resolved_work_dir) == "/tmp/x/_work"


def test_event_scoring_multiset_and_unordered_types():
    gold = [
        {"type": "AGREE", "source": "RUS", "target": "BLR", "date": "2024-12-06"},
        {"type": "AID", "source": "RUS", "target": "BLR", "date": None},
        {"type": "AID", "source": "RUS", "target": "BLR", "date": None},
    ]
    predicted = [
        {
            "event_type": "AGREE",
            "source_country": "BLR",
            "target_country": "RUS",
            "event_date": date(2024, 12, 6),
            "date_precision": "day",
        },
        {
            "event_type": "AID",
            "source_country": "RUS",
            "target_country": "BLR",
            "event_date": None,
            "date_precision": None,
        },
        {
            "event_type": "AID",
            "source_country": "BLR",
            "target_country": "RUS",
            "event_date": None,
            "date_precision": None,
        },
    ]
    score = score_events(gold, predicted)
    assert (score.true_positive, score.predicted, score.gold, score.dates_correct) == (2, 3, 3, 2)
    assert round(score.f1, 3) == 0.667


def test_actor_scoring():
    gold = [
        {"name": "Russia", "kind": "STATE", "country": "RUS", "wikidata": "Q159"},
        {"name": "Sergei Shoigu", "kind": "PERSON", "country": "RUS", "wikidata": None},
        {"name": "Union State of Russia and Belarus", "kind": "ORG", "country": None, "wikidata": None},
    ]
    predicted = [
        {"name": "Russia", "kind": "STATE", "country": "RUS", "wikidata_id": "Q159"},
        {"name": "Sergey Shoigu", "kind": "PERSON", "country": "RUS", "wikidata_id": None},
        {"name": "Union State", "kind": "ORG", "country": None, "wikidata_id": None},
        {"name": "Japan", "kind": "STATE", "country": "JPN", "wikidata_id": "Q17"},
    ]
    score = score_actors(gold, predicted)
    assert (score.true_positive, score.predicted, score.gold) == (3, 4, 3)


def test_offtopic_documents_are_recognised():
    from pipeline.lib.events.offtopic import OfftopicCounter

    counter = OfftopicCounter()
    counter.add("match", "de", ["deutschland", "schlagen", "frankreich", "im", "länderspiel", "stadion"])
    counter.add("match", "de", ["der", "torwart", "halten", "ein", "elfmeter"])
    counter.add("politics", "de", ["russland", "liefern", "panzer", "nach", "olympia", "stadion"])
    assert counter.non_political() == {"match"}


def test_document_fields_scored_against_gold(tmp_path):
    from pipeline.lib.evaluation import score_documents

    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps(record)
            for record in (
                {"doc": "a.txt", "lang": "de", "published": "2024-12-06", "duplicate_of": None},
                {"doc": "b.txt", "lang": "mixed", "published": None, "duplicate_of": "a.txt"},
            )
        )
    )
    documents = pl.DataFrame(
        {
            "doc_id": ["1", "2"],
            "source_path": ["sub/a.txt", "b.txt"],
            "language": ["de", "de"],
            "published_date": [date(2024, 12, 6), date(2024, 12, 7)],
            "duplicate_of": [None, "1"],
        }
    )
    assert score_documents(gold, documents) == {
        "language": (1, 2),
        "published_date": (1, 2),  # a date where the gold has none is wrong
        "duplicate_of": (2, 2),
    }


def test_one_event_per_happening_per_document():
    from datetime import date

    from pipeline.lib.events.assemble import merge_within_documents

    events = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5", "e6", "e7"],
            "doc_id": ["d1", "d1", "d1", "d1", "d2", "d1", "d1"],
            "event_type": ["AGREE", "AGREE", "AGREE", "AGREE", "AGREE", "AGREE", "AID"],
            "cameo_code": ["057"] * 7,
            "source_country": ["RUS", "BLR", "RUS", "RUS", "RUS", "RUS", "RUS"],
            "target_country": ["BLR", "RUS", "BLR", "BLR", "BLR", "BLR", "BLR"],
            "story_id": ["s1", "s0", "s1", "s2", "s1", "s1", "s3"],
            "event_date": [
                date(2024, 12, 6),
                None,
                date(2024, 12, 6),
                date(2023, 1, 5),
                date(2024, 12, 6),
                date(2024, 12, 6),
                None,
            ],
            "status": ["occurred", "occurred", "planned", "occurred", "occurred", "occurred", "occurred"],
            "negated": [False, False, False, False, False, True, False],
            "sentence_index": [4, 1, 2, 3, 0, 5, 6],
            "confidence": [0.85, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
            "doc_mentions": [1, 1, 1, 1, 1, 1, 1],
        }
    )
    merged = merge_within_documents(events)
    rows = {row["event_id"]: row["doc_mentions"] for row in merged.iter_rows(named=True)}
    # e1, the undated e2 (the same undirected dyad) and the planned e3 report one happening in d1:
    # the most confident e1 stays and counts three sentences. Another date (e4), another document
    # (e5), the denial (e6) and another type (e7) stay separate.
    assert rows == {"e1": 3, "e4": 1, "e5": 1, "e6": 1, "e7": 1}
    assert merge_within_documents(merged).sort("event_id").equals(merged.sort("event_id"))


def test_sentences_set_at_a_reported_meeting_take_its_date():
    from datetime import date

    from pipeline.lib.events.assemble import date_from_setting
    from pipeline.lib.events.coder import REFERS_BACK

    def row(index: int, kind: str, pair: tuple[str, str], day: date | None, refers: bool = False) -> dict:
        text = day.isoformat() if day else None
        return {
            "doc_id": "d1",
            "sentence_index": index,
            "event_type": kind,
            "source_country": pair[0],
            "target_country": pair[1],
            "event_date": day,
            "date_precision": "day" if day else None,
            "date_text": text,
            REFERS_BACK: refers,
        }

    rows = [
        row(0, "AGREE", ("RUS", "BLR"), date(2024, 12, 6)),
        row(3, "ASSAULT", ("RUS", "UKR"), None),
        # "Bei dem Treffen forderte Lukaschenko Putin auf ...": the signing's date.
        row(9, "REQUEST", ("BLR", "RUS"), None, refers=True),
        # Refers back, but no earlier meeting shares an actor: stays undated.
        row(10, "CONSULT", ("JPN", "PHL"), None, refers=True),
        # Not set at a meeting: stays undated.
        row(11, "AID", ("RUS", "BLR"), None),
    ]
    result = {r["sentence_index"]: r["event_date"] for r in date_from_setting(rows)}
    assert result == {0: date(2024, 12, 6), 3: None, 9: date(2024, 12, 6), 10: None, 11: None}
    assert all(REFERS_BACK not in r for r in rows)


def test_changes_against_the_previous_release(tmp_path):
    from pipeline.lib.publish.changes import changes_markdown, previous_release, table_changes
    from pipeline.lib.schema import EVENTS, PUBLISHED_TABLES

    def events(rows: dict[str, float]) -> pl.DataFrame:
        frame = EVENTS.empty()
        data = pl.DataFrame({"event_id": list(rows), "confidence": list(rows.values())})
        return pl.concat([frame, data], how="diagonal_relaxed")

    tables = {table.name: table.empty() for table in PUBLISHED_TABLES}
    assert previous_release(tmp_path) is None
    first = tmp_path / "releases" / "v1"
    (first / "parquet").mkdir(parents=True)
    for name, frame in {**tables, "events": events({"a": 0.5, "b": 0.6, "c": 0.7})}.items():
        frame.write_parquet(first / "parquet" / f"{name}.parquet")
    (tmp_path / "latest").symlink_to(first)
    assert previous_release(tmp_path) == first.resolve()

    new = {**tables, "events": events({"a": 0.5, "b": 0.9, "d": 0.7})}
    change = {c.table: c for c in table_changes(new, previous_release(tmp_path))}["events"]
    assert (change.before, change.after) == (3, 3)
    assert (change.added, change.removed, change.changed) == (["d"], ["c"], ["b"])
    page = changes_markdown("v2", first, list(table_changes(new, first)))
    assert "| events | 3 | 3 | 1 | 1 | 1 |" in page and "Changed events: `b`." in page
    assert "First release" in changes_markdown("v1", None, table_changes(new, None))


def test_release_wide_event_metrics():
    from pipeline.lib.quality.derived import events_per_document, with_event_checks

    documents = pl.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d4"],
            "duplicate_of": [None, None, None, "d1"],
            "text": ["a", "b", "c", "a"],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "doc_id": ["d1", "d1", "d2"],
            "char_start": [0, 0, 0],
            "char_end": [1, 1, 1],
            "evidence": ["a", "a", "b"],
            "source_actor_id": [None, None, None],
            "target_actor_id": [None, None, None],
            "source_country": ["RUS", "RUS", "CHN"],
            "target_country": ["BLR", "BLR", "RUS"],
            "event_date": [None, None, None],
        },
        schema_overrides={"event_date": pl.Date},
    )
    assert events_per_document(events, documents) == 1.0  # 3 events, 3 canonical documents
    checked = with_event_checks(events, documents, previous_events_per_document=4.0)
    assert checked["metric_documents_with_events"].to_list() == [2 / 3] * 3
    assert checked["metric_events_per_document_change"].to_list() == [0.25] * 3
    first = with_event_checks(events, documents)
    assert first["metric_events_per_document_change"].null_count() == 3


def test_entry_points_indexed_once_with_the_same_content():
    import importlib.metadata

    import catalogue

    from pipeline.lib.entities import cache_serialisation_lookups

    cache_serialisation_lookups()
    cache_serialisation_lookups()  # idempotent
    grouped = catalogue.AVAILABLE_ENTRY_POINTS
    assert type(grouped) is dict
    installed = importlib.metadata.entry_points()
    expected = {(ep.group, ep.name, ep.value) for points in dict.values(installed) for ep in points}
    assert {(ep.group, ep.name, ep.value) for points in grouped.values() for ep in points} == expected
    # A registry still finds its group's entry points through the dict.
    group = next(iter(grouped))
    registry = catalogue.Registry(tuple(group.split("_", 1)), entry_points=True)
    assert {ep.name for ep in registry._get_entry_points()} == {ep.name for ep in grouped[group]}
    # srsly's msgpack codecs answer from a cache that holds what the registries hold.
    import srsly.msgpack as srsly_msgpack

    for codecs in (srsly_msgpack.msgpack_encoders, srsly_msgpack.msgpack_decoders):
        assert "numpy" in codecs.get_all()
        assert codecs.get_all() is codecs.get_all()
