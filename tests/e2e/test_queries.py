"""The views, the example queries and ``alliance-events query`` on a release of the sample corpus."""

import io
import json
from datetime import date

import duckdb
import polars as pl
import pytest

from pipeline.cli import main
from pipeline.lib.query import example_sql, list_examples, run_query
from pipeline.lib.schema import EVENTS, PLOVER_TYPES
from pipeline.lib.settings import PROJECT_ROOT
from tests.e2e.runs import run

SAMPLE = PROJECT_ROOT / "data" / "sample"

VIEW_COLUMNS = {
    "dyads": [
        "country_a",
        "country_b",
        "first_event_date",
        "last_event_date",
        "event_count",
        "story_count",
        "document_count",
        "max_sources_per_story",
        *(f"{event_type.lower()}_count" for event_type in PLOVER_TYPES),
    ],
    "actor_timeline": [
        "actor_id",
        "name",
        "kind",
        "month",
        "event_type",
        "role",
        "event_count",
        "story_count",
    ],
    "events_enriched": [
        *(column.name for column in EVENTS.columns),
        "source_name",
        "source_kind",
        "target_name",
        "target_kind",
        "document_title",
        "document_outlet",
        "document_published_date",
        "document_url",
    ],
}

EXAMPLE_COLUMNS = {
    "actor_activity": [
        "actor_name",
        "month",
        "role",
        "event_type",
        "event_count",
        "negated_count",
        "story_count",
        "counterparts",
    ],
    "alliance_dyads_since_2022": [
        "country_a",
        "country_b",
        "first_date",
        "last_date",
        "event_count",
        "story_count",
        "occurred_count",
        "agree_count",
        "cooperate_count",
        "support_count",
        "consult_count",
        "max_sources",
        "dated_by_publication",
    ],
    "arms_supplies": [
        "supplier",
        "recipient",
        "event_count",
        "story_count",
        "occurred_count",
        "announced_count",
        "first_date",
        "last_date",
        "max_sources",
        "example_evidence",
    ],
    "dyad_by_month": [
        "country_a",
        "country_b",
        "month",
        "event_count",
        "story_count",
        "a_to_b_count",
        "b_to_a_count",
        "event_types",
        "dated_by_publication",
    ],
    "dyad_evidence": [
        "event_date",
        "date_precision",
        "event_type",
        "event_mode",
        "status",
        "negated",
        "source_country",
        "source_name",
        "target_country",
        "target_name",
        "evidence",
        "document_title",
        "document_outlet",
        "document_published_date",
        "source_path",
        "document_url",
        "num_sources",
        "confidence",
        "event_id",
    ],
    "multi_source_stories": [
        "num_sources",
        "happened_on",
        "event_type",
        "source_country",
        "target_country",
        "outlets",
        "evidence",
        "titles",
        "event_count",
        "story_id",
    ],
}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """The output folder of one pipeline run on the sample corpus (``latest`` is its release)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        folder = tmp_path_factory.mktemp("out")
        assert run(SAMPLE, folder, monkeypatch).success
    return folder


@pytest.fixture(scope="module")
def database(output):
    return (output / "latest" / "alliance.duckdb").resolve()


def _example(database, name: str, **variables: str) -> pl.DataFrame:
    return run_query(database, example_sql(name), variables)


@pytest.mark.parametrize("view", sorted(VIEW_COLUMNS))
def test_view_runs_with_its_columns(database, view):
    frame = run_query(database, f"select * from {view}")  # view names are ours
    assert frame.columns == VIEW_COLUMNS[view]
    assert frame.height > 0


def test_every_example_runs_with_its_columns(database):
    names = [example.name for example in list_examples()]
    assert sorted(names) == sorted(EXAMPLE_COLUMNS)
    for name in names:
        frame = _example(database, name)
        assert frame.columns == EXAMPLE_COLUMNS[name], name
        assert frame.height > 0, f"{name} returns no rows on the sample corpus"


def test_arms_supplies_finds_the_sample_suppliers(database):
    arms = _example(database, "arms_supplies")
    pairs = set(arms.select("supplier", "recipient").iter_rows())
    # de_leopard_panzer.md: Germany delivers battle tanks; crawl_dump.jsonl: Iran sent drones to Russia.
    assert {("DEU", "UKR"), ("IRN", "RUS"), ("USA", "UKR")} <= pairs
    # 'Beijing says it does not supply lethal weapons' is negated, so no supply.
    assert ("CHN", "UKR") not in pairs
    tanks = arms.filter(pl.col("supplier") == "DEU").row(0, named=True)
    assert "Kampfpanzer" in tanks["example_evidence"] and tanks["first_date"] is not None


def test_alliance_dyads_since_2022_and_another_start(database):
    dyads = _example(database, "alliance_dyads_since_2022")
    assert (dyads["country_a"] < dyads["country_b"]).all()
    assert (dyads["first_date"] >= date(2022, 1, 1)).all()
    # the Russia-North Korea defence pact of June 2024 is the sample's main alliance story
    pact = dyads.filter((pl.col("country_a") == "PRK") & (pl.col("country_b") == "RUS")).row(0, named=True)
    assert pact["agree_count"] >= 1 and pact["last_date"] >= date(2024, 6, 19)
    later = _example(database, "alliance_dyads_since_2022", since="2025-01-01")
    assert 0 < later.height < dyads.height
    assert (later["first_date"] >= date(2025, 1, 1)).all()


def test_dyad_by_month_defaults_to_russia_belarus_and_takes_another_pair(database):
    months = _example(database, "dyad_by_month")
    assert set(months["country_a"]) == {"RUS"} and set(months["country_b"]) == {"BLR"}
    assert months["month"].is_sorted()
    assert "AGREE" in months.filter(pl.col("month") == date(2024, 12, 1))["event_types"][0]
    with duckdb.connect(str(database), read_only=True) as con:
        expected = con.execute(
            "select count(*) from events where not negated and "
            "list_sort([source_country, target_country]) = ['PRK', 'RUS']"
        ).fetchone()[0]
    other = _example(database, "dyad_by_month", country_a="PRK", country_b="RUS")
    assert other["event_count"].sum() == expected > 0


def test_dyad_evidence_is_the_sentence_of_the_document(database):
    evidence = _example(database, "dyad_evidence")
    assert set(map(frozenset, evidence.select("source_country", "target_country").iter_rows())) == {
        frozenset({"RUS", "BLR"})
    }
    assert set(evidence["source_path"]) <= {path.name for path in SAMPLE.iterdir()}
    assert any("unterzeichneten" in sentence for sentence in evidence["evidence"])


def test_actor_activity_and_multi_source_stories(database):
    putin = _example(database, "actor_activity")
    assert set(putin["actor_name"]) == {"Vladimir Putin"}
    signed = putin.filter((pl.col("role") == "source") & (pl.col("event_type") == "AGREE"))
    assert "BLR" in ",".join(signed["counterparts"])
    stories = _example(database, "multi_source_stories")
    assert (stories["num_sources"] >= 2).all()
    # the wire story and its republished copy are two outlets behind one story
    assert stories["outlets"].str.contains("; ").any()


def test_cli_sql_string_table_and_csv(output, database, capsys):
    assert main(["query", "--release", str(output), "select count(*) as event_total from events"]) == 0
    table = capsys.readouterr().out
    assert "event_total" in table
    with duckdb.connect(str(database), read_only=True) as con:
        total = con.execute("select count(*) from events").fetchone()[0]
    assert str(total) in table
    assert (
        main(["query", "--release", str(output), "--format", "csv", "select count(*) as n from events"]) == 0
    )
    assert capsys.readouterr().out == f"n\n{total}\n"


def test_cli_example_with_variables_as_csv_and_json(output, capsys, monkeypatch):
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(output))  # the default release: latest there
    assert main(["query", "--example", "arms_supplies", "--format", "csv"]) == 0
    arms = pl.read_csv(io.StringIO(capsys.readouterr().out))
    assert arms.columns == EXAMPLE_COLUMNS["arms_supplies"]
    assert arms.filter((pl.col("supplier") == "IRN") & (pl.col("recipient") == "RUS")).height == 1
    arguments = ["query", "--example", "dyad_by_month", "--set", "country_a=PRK", "--set", "country_b=RUS"]
    assert main([*arguments, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {row["country_a"] for row in rows} == {"PRK"}
    assert main(["query", "--example", "dyad_by_month"]) == 0
    assert "RUS" in capsys.readouterr().out


def test_cli_file_and_sql_errors(output, tmp_path, capsys):
    query = tmp_path / "question.sql"
    query.write_text("-- actors of the sample\nselect name from actors where code = 'BLR'\n")
    assert main(["query", "--release", str(output), "--file", str(query), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "name\nBelarus\n"
    assert main(["query", "--release", str(output), "select * from no_such_table"]) == 1
    assert "no_such_table" in capsys.readouterr().err
    assert main(["query", "--release", str(output), "--example", "no_such_example"]) == 2
    assert main(["query", "--release", str(output), "create table scratch (a int)"]) == 1
    assert "read-only" in capsys.readouterr().err.lower()
