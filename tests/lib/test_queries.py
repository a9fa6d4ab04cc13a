"""Querying a release without a pipeline run: finding the database, examples, variables, output."""

import json
import os

import duckdb
import polars as pl
import pytest

from pipeline.cli import main
from pipeline.lib.query import (
    ReleaseNotFoundError,
    example_sql,
    find_database,
    format_result,
    list_examples,
    parse_variables,
    run_query,
)
from pipeline.lib.sql import SQL_DIR


@pytest.fixture
def output_dir(tmp_path):
    """An output folder with one tiny release, ``latest`` pointing to it, as publishing leaves it."""
    release = tmp_path / "releases" / "v1"
    release.mkdir(parents=True)
    with duckdb.connect(str(release / "alliance.duckdb")) as con:
        con.execute("create table events as select 'RUS' as source_country, 'BLR' as target_country")
    os.symlink("releases/v1", tmp_path / "latest")
    (tmp_path / "LATEST").write_text("v1\n")
    return tmp_path


def test_every_example_opens_with_its_question():
    examples = list_examples()
    assert {example.name for example in examples} >= {
        "alliance_dyads_since_2022",
        "arms_supplies",
        "dyad_by_month",
    }
    for example in examples:
        lines = example.path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("-- ") and "?" in example.question, example.name
        # the header says how to read the result, not only what is asked
        assert len([line for line in lines if line.startswith("--")]) >= 3, example.name
        assert example_sql(example.name) == example.path.read_text(encoding="utf-8")


def test_unknown_example_names_the_known_ones():
    with pytest.raises(KeyError, match="arms_supplies"):
        example_sql("no_such_question")


def test_find_database_accepts_release_output_folder_or_file(output_dir):
    database = output_dir / "releases" / "v1" / "alliance.duckdb"
    assert find_database(output_dir / "releases" / "v1") == database
    assert find_database(output_dir).resolve() == database.resolve()
    assert find_database(database) == database
    (output_dir / "latest").unlink()  # the LATEST file alone is enough
    assert find_database(output_dir) == database


def test_find_database_defaults_to_the_configured_output_folder(output_dir, monkeypatch):
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(output_dir))
    assert find_database().name == "alliance.duckdb"


def test_missing_release_is_a_clear_error(tmp_path):
    with pytest.raises(ReleaseNotFoundError, match="no release at"):
        find_database(tmp_path / "nowhere")
    with pytest.raises(ReleaseNotFoundError, match="no release in"):
        find_database(tmp_path)


def test_variables_are_bound_and_the_database_is_read_only(output_dir):
    database = find_database(output_dir)
    frame = run_query(
        database,
        "SET VARIABLE country = coalesce(getvariable('country'), 'XXX');\n"
        "select count(*) as n, getvariable('country') as country from events "
        "where source_country = getvariable('country')",
        parse_variables(["country=RUS"]),
    )
    assert frame.to_dicts() == [{"n": 1, "country": "RUS"}]
    with pytest.raises(duckdb.Error):
        run_query(database, "create table scratch (a int)")


@pytest.mark.parametrize("assignment", ["country", "=RUS", "bad name=RUS", "x;drop=1"])
def test_variable_assignments_are_checked(assignment):
    with pytest.raises(ValueError):
        parse_variables([assignment])


def test_formats_keep_nested_values():
    frame = pl.DataFrame({"actor_id": ["Q184"], "aliases": [["Belarus", "Беларусь"]]})
    csv = format_result(frame, "csv")
    assert csv.splitlines()[0] == "actor_id,aliases"
    assert "Беларусь" in csv and '[""Belarus""' in csv
    assert json.loads(format_result(frame, "json")) == [
        {"actor_id": "Q184", "aliases": ["Belarus", "Беларусь"]}
    ]
    table = format_result(frame, "table")
    assert "actor_id" in table and "Q184" in table
    with pytest.raises(ValueError):
        format_result(frame, "xml")


def test_cli_missing_release_exits_2_with_one_line(tmp_path, capsys):
    assert main(["query", "--release", str(tmp_path / "nowhere"), "select 1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "no release" in captured.err


def test_cli_default_release_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(tmp_path))
    assert main(["query", "select 1"]) == 2
    assert "no release in" in capsys.readouterr().err


def test_cli_lists_examples(capsys):
    assert main(["query", "--list-examples"]) == 0
    out = capsys.readouterr().out
    for path in sorted((SQL_DIR / "examples").glob("*.sql")):
        assert path.stem in out
    assert "Who supplied arms to whom?" in out
