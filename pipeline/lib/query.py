"""Ask questions of a published release: its DuckDB file, opened read-only, and the SQL examples.

The example queries are the files of ``sql/examples``; each opens with a comment whose first line
is the question it answers. Examples take their parameters as DuckDB variables with a default
(``SET VARIABLE country_a = coalesce(getvariable('country_a'), 'RUS')``), so a caller may set a
variable first to ask about another pair, actor or date.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline.lib.settings import Settings
from pipeline.lib.sql import SQL_DIR, load_sql

DATABASE_FILE = "alliance.duckdb"
FORMATS = ("table", "csv", "json")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ReleaseNotFoundError(Exception):
    """No published release (or no DuckDB file in it) where one was expected."""


@dataclass(frozen=True)
class Example:
    """One example query of ``sql/examples``."""

    name: str
    question: str
    path: Path


def find_database(release: Path | None = None, output_dir: Path | None = None) -> Path:
    """The ``alliance.duckdb`` to query.

    ``release`` may be a release folder, an output folder (its ``latest`` release is used) or the
    DuckDB file itself; without it, the latest release in ``output_dir`` (default: the output
    folder of the settings, as ``alliance-events run`` uses it).
    """
    if release is None:
        release = output_dir or Settings.from_env().output_dir
    if release.is_file():
        return release
    if not release.is_dir():
        raise ReleaseNotFoundError(f"no release at {release} (publish one with `alliance-events run`)")
    if not (release / DATABASE_FILE).is_file():
        release = _latest_release(release)
    database = release / DATABASE_FILE
    if not database.is_file():
        raise ReleaseNotFoundError(f"no {DATABASE_FILE} in {release}")
    return database


def _latest_release(output_dir: Path) -> Path:
    """The release ``output_dir/latest`` points to, or the one named in ``output_dir/LATEST``."""
    if (output_dir / "latest").is_dir():
        return (output_dir / "latest").resolve()
    named = output_dir / "LATEST"
    if named.is_file():
        return output_dir / "releases" / named.read_text(encoding="utf-8").strip()
    raise ReleaseNotFoundError(
        f"no release in {output_dir}: neither {DATABASE_FILE} nor latest/ (publish one with `alliance-events run`)"
    )


def list_examples(sql_dir: Path = SQL_DIR) -> list[Example]:
    """The example queries, by name, with the question of each (its first comment line)."""
    examples = []
    for path in sorted((sql_dir / "examples").glob("*.sql")):
        first_line = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        examples.append(Example(path.stem, first_line.removeprefix("--").strip(), path))
    return examples


def example_sql(name: str, sql_dir: Path = SQL_DIR) -> str:
    """The text of example ``name`` (file name without ``.sql``)."""
    names = [example.name for example in list_examples(sql_dir)]
    if name.removesuffix(".sql") not in names:
        raise KeyError(f"no example {name!r}; examples: {', '.join(names)}")
    return load_sql(f"examples/{name.removesuffix('.sql')}", sql_dir)


def parse_variables(assignments: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings (the command line's ``--set``) as a mapping of variable names."""
    variables = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not _VARIABLE_NAME.fullmatch(name.strip()):
            raise ValueError(f"--set wants NAME=VALUE with NAME a plain identifier, got {assignment!r}")
        variables[name.strip()] = value
    return variables


def run_query(database: Path, sql: str, variables: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Run ``sql`` (one or more statements) on ``database`` read-only; the last statement's rows.

    ``variables`` are set as DuckDB variables before the query runs (values bound, never pasted
    into the SQL), which is how the examples take their parameters.
    """
    with duckdb.connect(str(database), read_only=True) as con:
        for name, value in (variables or {}).items():
            if not _VARIABLE_NAME.fullmatch(name):
                raise ValueError(f"not a variable name: {name!r}")
            con.execute(f"SET VARIABLE {name} = ?", [value])  # name checked above
        relation = con.sql(sql)
        return relation.pl() if relation is not None else pl.DataFrame()


def format_result(
    frame: pl.DataFrame,
    fmt: str = "table",
    max_rows: int = 100,
    max_width: int = 160,
    max_col_width: int = 32,
) -> str:
    """``frame`` as a DuckDB-style table, CSV or JSON.

    The table shows the columns that fit in ``max_width`` with long values cut; CSV and JSON
    carry every value in full.
    """
    if fmt == "csv":
        return _flatten_nested(frame).write_csv()
    if fmt == "json":
        return frame.write_json() + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if not frame.columns:
        return ""
    buffer = io.StringIO()
    with duckdb.connect() as con, contextlib.redirect_stdout(buffer):
        con.from_arrow(frame.to_arrow()).show(
            max_rows=max_rows, max_width=max_width, max_col_width=max_col_width
        )
    return buffer.getvalue()


def _flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs as JSON text: CSV has no nested values (only a few columns are nested)."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    return frame.with_columns(
        pl.Series(
            name,
            [
                None if value is None else json.dumps(value, default=str, ensure_ascii=False)
                for value in frame[name].to_list()
            ],
            dtype=pl.String,
        )
        for name in nested
    )
