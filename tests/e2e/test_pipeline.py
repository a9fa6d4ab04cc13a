"""End to end: materialise every asset on the bundled sample corpus and inspect the release."""

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.lib.schema import PUBLISHED_TABLES
from pipeline.lib.settings import PROJECT_ROOT
from tests.e2e.runs import PipelineRun, run

SAMPLE = PROJECT_ROOT / "data" / "sample"
# The minimum columns of each published table, as DATASET.md lists them.
CONTRACT_COLUMNS = {
    "documents": [
        "doc_id",
        "source_path",
        "source_url",
        "outlet",
        "title",
        "published_date",
        "language",
        "char_count",
        "text",
        "content_sha256",
        "duplicate_of",
        "ingested_at",
    ],
    "quarantine": ["source_path", "reason", "detail", "content_sha256", "seen_at"],
    "actors": ["actor_id", "name", "kind", "country", "wikidata_id", "aliases", "roles"],
    "mentions": [
        "mention_id",
        "doc_id",
        "sentence_index",
        "char_start",
        "char_end",
        "text",
        "label",
        "actor_id",
        "language",
    ],
    "events": [
        "event_id",
        "doc_id",
        "sentence_index",
        "char_start",
        "char_end",
        "evidence",
        "language",
        "event_type",
        "event_mode",
        "cameo_code",
        "source_actor_id",
        "source_country",
        "target_actor_id",
        "target_country",
        "event_date",
        "date_precision",
        "date_text",
        "status",
        "negated",
        "location_name",
        "latitude",
        "longitude",
        "confidence",
        "story_id",
        "num_sources",
    ],
}

pytestmark = pytest.mark.e2e


def _run(input_dir: Path, output_dir: Path, monkeypatch) -> PipelineRun:
    return run(input_dir, output_dir, monkeypatch)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        output = tmp_path_factory.mktemp("out")
        result = _run(SAMPLE, output, monkeypatch)
        assert result.success
        first = (output / "latest").resolve()
        second_result = _run(SAMPLE, output, monkeypatch)
        assert second_result.success
        yield {
            "first": first,
            "second": (output / "latest").resolve(),
            "output": output,
            "checks": result.check_evaluations(),
            "second_ran": second_result.outcome.ran,
        }


def _table(release_dir: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(release_dir / "parquet" / f"{name}.parquet")


def test_release_layout_and_checksums(release):
    folder = release["first"]
    for name in (
        "alliance.duckdb",
        "datapackage.json",
        "SHA256SUMS",
        "README.md",
        "CHANGES.md",
        "report.html",
        "quality/index.html",
        "quality/results.json",
    ):
        assert (folder / name).is_file(), name
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert {"report.html", "CHANGES.md", "alliance.duckdb", "parquet/events.parquet"} <= listed
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, relative = line.split("  ", 1)
        assert hashlib.sha256((folder / relative).read_bytes()).hexdigest() == digest
    assert (release["output"] / "latest").is_symlink()
    assert not list((release["output"] / "releases").glob(".staging-*"))


def test_quality_checks_ran_and_passed(release):
    names = {evaluation.check_name: evaluation.passed for evaluation in release["checks"]}
    assert set(names) >= {
        "documents_suite",
        "quarantine_suite",
        "actors_suite",
        "mentions_suite",
        "events_suite",
        "inputs_conserved",
    }
    blocking_failures = [
        e.check_name for e in release["checks"] if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert blocking_failures == []


def test_contract_columns_present(release):
    for table in PUBLISHED_TABLES:
        frame = _table(release["first"], table.name)
        assert frame.columns == [c.name for c in table.columns]
        missing = [column for column in CONTRACT_COLUMNS[table.name] if column not in frame.columns]
        assert missing == [], (table.name, missing)


def test_every_sample_input_accounted_for(release):
    documents = _table(release["first"], "documents")
    quarantine = _table(release["first"], "quarantine")
    paths = set(documents["source_path"]) | set(quarantine["source_path"])
    assert "crawl_dump.jsonl#1" in paths and "crawl_dump.jsonl#2" in paths
    assert "README.md" not in paths
    assert {p.name for p in SAMPLE.glob("*.txt")} <= {Path(p).name for p in paths}


def test_documents_cleaned_dated_and_languages(release):
    documents = _table(release["first"], "documents").sort("source_path")
    by_path = {row["source_path"]: row for row in documents.iter_rows(named=True)}
    minsk = by_path["de_minsk_sicherheitsvertrag.txt"]  # Windows-1252 input
    # Windows-1252 bytes decoded to the right letters and typographic quotes, with no mojibake left.
    assert "Militärbündnis" in minsk["text"] and "Außenpolitik" in minsk["text"]
    assert "„Der Vertrag" in minsk["text"] and "Ã" not in minsk["text"]
    assert str(minsk["published_date"]) == "2024-12-06"
    assert by_path["en_nato_sweden.html"]["published_date"] is not None
    assert by_path["mixed_ru_de_atacms.txt"]["language"] == "mixed"
    assert by_path["mixed_ru_de_atacms.txt"]["published_date"] is None
    assert by_path["crawl_dump.jsonl#2"]["language"] == "ru"
    assert all("the_ad_group" not in text and "ad_slot" not in text for text in documents["text"])
    assert documents["removed_line_count"].sum() > 20
    audit = documents.select("removed_lines").explode("removed_lines").drop_nulls().unnest("removed_lines")
    assert {"share_prompt", "ad_shortcode", "date_stamp"} <= set(audit["reason"])
    assert (audit["line"] > 0).all() and audit["text"].str.len_chars().min() > 0


def test_syndicated_copy_is_a_near_duplicate(release):
    documents = _table(release["first"], "documents")
    wire = documents.filter(pl.col("source_path").str.starts_with("en_wire_")).sort("source_path")
    copies = wire.filter(pl.col("duplicate_of").is_not_null())
    assert copies.height == 1
    assert copies["duplicate_of"].item() in wire["doc_id"].to_list()
    assert 0.4 <= copies["duplicate_similarity"].item() < 1.0
    events = _table(release["first"], "events")
    assert copies["doc_id"].item() not in events["doc_id"].to_list()
    assert events.filter(pl.col("doc_id") == copies["duplicate_of"].item())["num_sources"].min() >= 2


def test_evidence_and_mentions_are_exact_text(release):
    documents = _table(release["first"], "documents").select("doc_id", "text")
    texts = dict(documents.iter_rows())
    events = _table(release["first"], "events")
    mentions = _table(release["first"], "mentions")
    assert events.height > 0 and mentions.height > 0
    for row in events.iter_rows(named=True):
        assert texts[row["doc_id"]][row["char_start"] : row["char_end"]] == row["evidence"]
    for row in mentions.iter_rows(named=True):
        assert texts[row["doc_id"]][row["char_start"] : row["char_end"]] == row["text"]


def test_events_are_real_and_non_political_news_has_none(release):
    events = _table(release["first"], "events")
    documents = _table(release["first"], "documents")
    football = documents.filter(pl.col("source_path").str.contains("fussball"))["doc_id"].to_list()
    assert events.filter(pl.col("doc_id").is_in(football)).height == 0
    assert (events["source_country"] != events["target_country"]).all()
    dyads = {tuple(sorted(pair)) for pair in events.select("source_country", "target_country").iter_rows()}
    assert ("BLR", "RUS") in dyads and ("PRK", "RUS") in dyads


def test_second_run_gives_same_rows(release):
    assert release["second_ran"] == []  # no batch changed: only the release was rebuilt
    for name, key in (("events", "event_id"), ("mentions", "mention_id"), ("documents", "doc_id")):
        first = _table(release["first"], name).sort(key)
        second = _table(release["second"], name).sort(key)
        assert first.equals(second), name


def test_duckdb_answers_tables_and_views(release):
    with duckdb.connect(str(release["second"] / "alliance.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from events").fetchone()[0] > 0
        dyads = con.execute("select country_a, country_b, event_count from dyads").fetchall()
        assert dyads and all(a < b for a, b, _ in dyads)
        assert (
            con.execute("select count(*) from events_enriched").fetchone()[0]
            == con.execute("select count(*) from events").fetchone()[0]
        )
        assert con.execute("select count(*) from actor_timeline").fetchone()[0] > 0


def test_datapackage_describes_every_column(release):
    descriptor = json.loads((release["first"] / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    for table in PUBLISHED_TABLES:
        fields = resources[table.name]["schema"]["fields"]
        assert [f["name"] for f in fields] == [c.name for c in table.columns]
        assert all(f["description"] for f in fields)
        assert resources[table.name]["rows"] == _table(release["first"], table.name).height


def test_datapackage_is_valid_frictionless(release):
    """The descriptor passes Frictionless's own validation, and so do the rows of every table
    whose columns are all scalar (Frictionless reads list and struct cells from Parquet as
    arrays it cannot type-check, so those tables are checked for their descriptor only)."""
    import frictionless

    path = release["first"] / "datapackage.json"
    package = frictionless.Package.from_descriptor(str(path))
    assert [resource.name for resource in package.resources] == [t.name for t in PUBLISHED_TABLES]
    scalar = [
        table.name
        for table in PUBLISHED_TABLES
        if not any(c.frictionless_type in ("array", "object") for c in table.columns)
    ]
    assert {"events", "mentions", "quarantine"} <= set(scalar)
    for name in scalar:
        report = frictionless.validate(package.get_resource(name))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_release_lists_changes_against_the_previous_one(release):
    changes = (release["second"] / "CHANGES.md").read_text(encoding="utf-8")
    assert f"Compared with release `{release['first'].name}`" in changes
    events = _table(release["second"], "events").height
    # The same input twice: every table keeps its rows, nothing added, removed or changed.
    assert f"| events | {events} | {events} | 0 | 0 | 0 |" in changes


def test_broken_table_blocks_publishing(release, tmp_path, monkeypatch):
    """A table that breaks a critical expectation stops the release; latest stays where it was."""
    import shutil
    from datetime import date

    from pipeline.defs.events import assets as event_assets

    output = tmp_path / "out"
    shutil.copytree(release["output"], output, symlinks=True)
    before = (output / "latest").resolve()
    releases_before = sorted(path.name for path in (output / "releases").iterdir())
    original = event_assets.events_frame

    def far_future(*args, **kwargs):
        # Event dates a thousand years ahead: a critical expectation of the events suite.
        return original(*args, **kwargs).with_columns(pl.lit(date(3024, 1, 1)).alias("event_date"))

    monkeypatch.setattr(event_assets, "events_frame", far_future)
    result = _run(SAMPLE, output, monkeypatch)
    assert not result.success
    failed = [e for e in result.check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["events_suite"]
    assert (output / "latest").resolve() == before
    assert sorted(path.name for path in (output / "releases").iterdir()) == releases_before
