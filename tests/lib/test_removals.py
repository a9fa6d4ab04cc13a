"""Why rows leave a release, and when a release is blocked for dropping rows without a reason."""

from pathlib import Path

import polars as pl
import pytest

from pipeline.lib.publish.removals import audit_removals
from pipeline.lib.schema import ACTORS, DOCUMENTS, EVENTS, MENTIONS, QUARANTINE

STAGES = {"ingest": "i", "clean": "c", "entities": "n", "events": "e"}


def _table(table, rows: list[dict]) -> pl.DataFrame:
    return table.conform(pl.concat([table.empty(), pl.DataFrame(rows)], how="diagonal_relaxed"))


def _tables(documents, mentions, events, quarantine=()) -> dict[str, pl.DataFrame]:
    return {
        "documents": _table(DOCUMENTS, list(documents)),
        "quarantine": _table(QUARANTINE, list(quarantine)),
        "actors": _table(ACTORS, [{"actor_id": "Q1", "name": "A", "kind": "STATE"}]),
        "mentions": _table(MENTIONS, list(mentions)),
        "events": _table(EVENTS, list(events)),
    }


def _doc(doc_id, path, sha="s", copy_of=None):
    return {"doc_id": doc_id, "source_path": path, "content_sha256": sha, "duplicate_of": copy_of}


def _release(folder: Path, tables: dict[str, pl.DataFrame]) -> Path:
    (folder / "parquet").mkdir(parents=True)
    for name, frame in tables.items():
        frame.write_parquet(folder / "parquet" / f"{name}.parquet")
    return folder


def _provenance(**batches) -> dict:
    return {
        "release_fingerprint": "r",
        "batches": {key: {"stages": stages} for key, stages in batches.items()},
    }


PREVIOUS = _tables(
    [_doc("d1", "b1/a.txt"), _doc("d2", "b2/b.txt"), _doc("d3", "b3/feed.jsonl#2"), _doc("d4", "b4/c.txt")],
    [{"mention_id": f"m{i}", "doc_id": f"d{i}"} for i in (1, 2, 3, 4)],
    [{"event_id": f"e{i}", "doc_id": f"d{i}"} for i in (1, 2, 3, 4)],
    [{"source_path": "b5/scan.pdf", "content_sha256": "p"}],
)
ARCHIVE = pl.DataFrame(
    {
        "source_path": ["b1/a.txt", "b2/b.txt", "b3/feed.jsonl#1", "b4/c.txt"],
        "input_file": ["b1/a.txt", "b2/b.txt", "b3/feed.jsonl", "b4/c.txt"],
        "batch": ["b1", "b2", "b3", "b4"],
    }
)
NO_FORGOTTEN = pl.DataFrame(schema={"source_path": pl.String})


def _audit(tmp_path, new, previous_provenance, current_provenance, archive=ARCHIVE, forgotten=NO_FORGOTTEN):
    release = _release(tmp_path / "previous", PREVIOUS)
    return audit_removals(new, release, previous_provenance, current_provenance, archive, forgotten)


def test_a_release_that_keeps_every_row_drops_nothing(tmp_path):
    provenance = _provenance(b1=STAGES, b2=STAGES, b3=STAGES, b4=STAGES)
    audit = _audit(tmp_path, PREVIOUS, provenance, provenance)
    assert all(table.removed == 0 for table in audit.tables.values()) and audit.blocking(0.0) == []


def test_rows_whose_inputs_vanished_are_unexplained_and_block(tmp_path):
    new = _tables(
        [_doc("d1", "b1/a.txt"), _doc("d3", "b3/feed.jsonl#2"), _doc("d4", "b4/c.txt")],
        [{"mention_id": f"m{i}", "doc_id": f"d{i}"} for i in (1, 3, 4)],
        [{"event_id": f"e{i}", "doc_id": f"d{i}"} for i in (1, 3, 4)],
        [{"source_path": "b5/scan.pdf", "content_sha256": "p"}],
    )
    archive = ARCHIVE.filter(pl.col("batch") != "b2")  # the work store lost batch b2
    provenance = _provenance(b1=STAGES, b3=STAGES, b4=STAGES)
    audit = _audit(tmp_path, new, provenance, provenance, archive=archive)
    assert {name: table.unexplained for name, table in audit.tables.items()} == {
        "documents": 1,
        "quarantine": 0,
        "mentions": 1,
        "events": 1,
        "actors": 0,
    }
    assert audit.tables["events"].unexplained_by_batch == {"b2": 1}
    assert audit.blocking(0.0) == ["documents", "mentions", "events"]
    assert audit.blocking(0.5) == []  # a quarter of each table: allowed by a share of one half
    message = audit.message(0.0, "20261101T000000Z-x")
    assert "b2 (documents 1, mentions 1, events 1)" in message and "not in the archive" in message
    assert "20261101T000000Z-x" in message
    forgotten = pl.DataFrame({"source_path": ["b2/b.txt"]})
    explained = _audit(tmp_path / "again", new, provenance, provenance, archive=archive, forgotten=forgotten)
    assert explained.blocking(0.0) == [] and explained.tables["events"].by_reason == {"forgotten": 1}
    assert explained.forgotten_sources == ["b2/b.txt"]


def test_changed_sources_copies_and_rederived_stages_explain_their_rows(tmp_path):
    new = _tables(
        [
            _doc("d1b", "b1/a.txt", sha="s2"),  # a new version of the file
            _doc("d2", "b2/b.txt", copy_of="d4"),  # now a copy: its rows are not published
            _doc("d4", "b4/c.txt"),
        ],
        [{"mention_id": "m1b", "doc_id": "d1b"}, {"mention_id": "m4b", "doc_id": "d4"}],
        [{"event_id": "e1b", "doc_id": "d1b"}, {"event_id": "e4b", "doc_id": "d4"}],
    )
    before = _provenance(b1=STAGES, b2=STAGES, b3=STAGES, b4=STAGES)
    after = _provenance(b1=STAGES, b2=STAGES, b3=STAGES, b4={**STAGES, "entities": "n2", "events": "e2"})
    archive = ARCHIVE.with_columns(pl.col("source_path"))  # b3's feed now lacks line 2; scan.pdf left b5
    audit = _audit(tmp_path, new, before, after, archive=archive)
    reasons = {name: table.by_reason for name, table in audit.tables.items()}
    assert reasons["documents"] == {"source changed": 2}  # a.txt's new version, feed.jsonl's line 2
    assert reasons["mentions"] == {"now a copy": 1, "re-derived": 1, "source changed": 2}
    assert reasons["events"] == {"now a copy": 1, "re-derived": 1, "source changed": 2}
    assert reasons["quarantine"] == {"unexplained": 1}  # scan.pdf vanished from the archive
    assert audit.blocking(0.0) == ["quarantine"]


@pytest.mark.parametrize(
    "previous_provenance",
    [None, _provenance(b1=STAGES, b2=STAGES, b3=STAGES, b4={**STAGES, "events": "old"})],
)
def test_events_of_an_unchanged_document_leave_only_when_re_derived(tmp_path, previous_provenance):
    new = _tables(PREVIOUS["documents"].to_dicts(), PREVIOUS["mentions"].to_dicts(), [], [])
    current = _provenance(b1=STAGES, b2=STAGES, b3=STAGES, b4=STAGES)
    new["quarantine"] = PREVIOUS["quarantine"]
    audit = _audit(tmp_path, new, previous_provenance, current)
    if previous_provenance is None:  # made before provenance was recorded: cannot tell, so allowed
        assert audit.tables["events"].by_reason == {"re-derived": 4}
    else:  # only b4's events stage changed: the other three batches' events have no reason to go
        assert audit.tables["events"].by_reason == {"re-derived": 1, "unexplained": 3}
        assert audit.tables["events"].unexplained_by_batch == {"b1": 1, "b2": 1, "b3": 1}
        assert audit.batch_notes["b1"].startswith("its inputs are archived and unchanged")


def test_only_inputs_forgotten_since_the_previous_release_explain_removals():
    from datetime import UTC, datetime

    from pipeline.lib.publish.removals import forgotten_since

    log = pl.DataFrame(
        {
            "source_path": ["b1/old.txt", "b2/b.txt"],
            "forgotten_at": [datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)],
        }
    )
    previous = {"published_at": "2026-02-01T00:00:00+00:00"}
    assert forgotten_since(log, previous)["source_path"].to_list() == ["b2/b.txt"]
    assert forgotten_since(log, None).height == 2  # a release before provenance: every entry counts
