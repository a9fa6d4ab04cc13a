"""The release's datapackage.json and analyst README, both generated from ``lib/schema.py``."""

from __future__ import annotations

from typing import Any

from pipeline.lib.columns import Column, Table
from pipeline.lib.schema import PUBLISHED_TABLES

DATASET_NAME = "alliance-events"
VIEWS = {
    "dyads": "Per unordered pair of countries/organisations: first and last event date, events per type, sources.",
    "events_enriched": "Events with actor names and document title, outlet, date and URL.",
    "actor_timeline": "Per actor and month: events as source and as target, by type.",
}


def field_constraints(table: Table, column: Column) -> dict[str, Any]:
    """The Frictionless constraints of ``column``: the facts its blocking checks are generated from
    (``lib/quality/contract.py``). Values of a run-time domain are not listed here; the actor ids
    are foreign keys of the descriptor."""
    constraints = {
        "required": column.required or None,
        "unique": table.is_unique(column) or None,
        "enum": list(column.values) if isinstance(column.values, tuple) else None,
        "minimum": column.minimum,
        "maximum": column.maximum,
        "pattern": column.pattern,
    }
    return {name: value for name, value in constraints.items() if value is not None}


def _field(table: Table, column: Column) -> dict[str, Any]:
    constraints = field_constraints(table, column)
    return {
        "name": column.name,
        "type": column.frictionless_type,
        "description": column.description,
        **({"constraints": constraints} if constraints else {}),
    }


def _resource(table: Table, rows: int) -> dict:
    schema: dict = {"fields": [_field(table, c) for c in table.columns]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": ref_table, "fields": ref_column}}
            for column, ref_table, ref_column in table.foreign_keys
        ]
    return {
        "name": table.name,
        "path": f"parquet/{table.name}.parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": table.description,
        "schema": schema,
        "rows": rows,
    }


def datapackage(version: str, row_counts: dict[str, int]) -> dict:
    """A Frictionless Data Package descriptor of the release."""
    return {
        "name": DATASET_NAME,
        "title": "Alliance events and actors",
        "version": version,
        "profile": "data-package",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "resources": [_resource(table, row_counts.get(table.name, 0)) for table in PUBLISHED_TABLES],
    }


def analyst_readme(version: str, row_counts: dict[str, int]) -> str:
    """Markdown for analysts: what each table holds, column by column, and how to query it."""
    lines = [
        f"# Alliance events and actors, release {version}",
        "",
        "Who signed what with whom, who sent troops, weapons or aid to whom, who met, threatened or",
        "deployed where, and when: coded from news in German, English and Russian, every event",
        "traceable to its sentence (`documents.text[char_start:char_end] == events.evidence`).",
        "",
        "## Load it",
        "",
        "```sh",
        'duckdb alliance.duckdb "select * from dyads order by event_count desc limit 20"',
        "```",
        "",
        "```python",
        "import duckdb, polars as pl",
        "con = duckdb.connect('alliance.duckdb', read_only=True)",
        "events = con.sql('select * from events_enriched').pl()",
        "mentions = pl.read_parquet('parquet/mentions.parquet')",
        "```",
        "",
        "Checksums: `sha256sum -c SHA256SUMS`. Validation results: `quality/index.html`.",
        "What changed since the previous release (rows added, removed, changed): `CHANGES.md`.",
        "Charts of the release (events per month, the network of dyads, top actors, quality):",
        "`report.html`, readable offline.",
        "",
        "## Tables",
        "",
    ]
    for table in PUBLISHED_TABLES:
        key = ", ".join(table.primary_key) or "none"
        lines += [
            f"### {table.name} ({row_counts.get(table.name, 0)} rows)",
            "",
            table.description,
            f"Primary key: `{key}`.",
            "",
            "| column | type | description |",
            "| --- | --- | --- |",
        ]
        lines += [f"| `{c.name}` | {c.frictionless_type} | {c.description} |" for c in table.columns]
        lines.append("")
    lines += ["## Views (in alliance.duckdb)", ""]
    lines += [f"- `{name}`: {text}" for name, text in VIEWS.items()]
    return "\n".join(lines) + "\n"
