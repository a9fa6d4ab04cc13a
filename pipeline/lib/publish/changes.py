"""What changed since the previous release: rows per table and events added, removed or changed.

Rows are matched by their primary key (``event_id``, ``doc_id`` ...); a row "changed" when any
published column differs. The summary is written as ``CHANGES.md`` into each release, so that a
reader of the data sees what a new release did to the rows they use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.lib.columns import Frames
from pipeline.lib.publish.removals import RemovalAudit
from pipeline.lib.schema import PUBLISHED_TABLES

LATEST = "latest"
_LISTED = 20  # changed events listed by id in CHANGES.md


def previous_release(output_dir: Path) -> Path | None:
    """The release ``latest`` points to, or None before the first release."""
    link = output_dir / LATEST
    if not link.exists():
        return None
    target = link.resolve()
    return target if (target / "parquet").is_dir() else None


@dataclass(frozen=True)
class TableChange:
    """Row-level difference of one table between two releases."""

    table: str
    before: int
    after: int
    added: list[str]
    removed: list[str]
    changed: list[str]


def _row_hashes(frame: pl.LazyFrame, key: str) -> pl.LazyFrame:
    columns = [c for c in frame.collect_schema().names() if c not in ("ingested_at", "seen_at")]
    return frame.select(pl.col(key), pl.struct(columns).hash(seed=0).alias("_row_hash"))


def _keys(frame: pl.LazyFrame, key: str) -> list[str]:
    return sorted(frame.select(key).collect(engine="streaming")[key].to_list())


def table_changes(tables: Frames, previous: Path | None) -> list[TableChange]:
    """Per published table: row counts and keys added, removed and changed against ``previous``.

    Timestamps of ingestion are left out of the comparison: a re-run is not a change. Rows are
    compared by hashes computed lazily, so the tables are never held whole.
    """
    changes = []
    for table in PUBLISHED_TABLES:
        frame = table.conform(tables[table.name].lazy())
        after = frame.select(pl.len()).collect().item()
        key = table.primary_key[0] if len(table.primary_key) == 1 else None
        old_path = previous / "parquet" / f"{table.name}.parquet" if previous else None
        old = pl.scan_parquet(old_path) if old_path and old_path.is_file() else None
        before = old.select(pl.len()).collect().item() if old is not None else 0
        old_columns = old.collect_schema().names() if old is not None else []
        if key is None or old is None or key not in old_columns:
            changes.append(TableChange(table.name, before, after, [], [], []))
            continue
        shared = [column for column in frame.collect_schema().names() if column in old_columns]
        new_rows = _row_hashes(frame.select(shared), key)
        old_rows = _row_hashes(old.select(shared), key)
        both = new_rows.join(old_rows, on=key, how="inner", suffix="_old")
        changes.append(
            TableChange(
                table.name,
                before,
                after,
                _keys(new_rows.join(old_rows, on=key, how="anti"), key),
                _keys(old_rows.join(new_rows, on=key, how="anti"), key),
                _keys(both.filter(pl.col("_row_hash") != pl.col("_row_hash_old")), key),
            )
        )
    return changes


def changes_markdown(
    version: str, previous: Path | None, changes: list[TableChange], removals: RemovalAudit | None = None
) -> str:
    """CHANGES.md of release ``version``; ``removals`` says why rows of the previous release left."""
    lines = [f"# Changes in release {version}", ""]
    if previous is None:
        lines += ["First release: there is no earlier one to compare with.", ""]
    else:
        lines += [f"Compared with release `{previous.name}`.", ""]
    lines += [
        "| table | rows before | rows after | added | removed | changed |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for change in changes:
        lines.append(
            f"| {change.table} | {change.before} | {change.after} | {len(change.added)} | "
            f"{len(change.removed)} | {len(change.changed)} |"
        )
    events = next((change for change in changes if change.table == "events"), None)
    if previous is not None and events is not None:
        for label, ids in (("Added", events.added), ("Removed", events.removed), ("Changed", events.changed)):
            if ids:
                shown = ", ".join(f"`{event_id}`" for event_id in ids[:_LISTED])
                more = f" and {len(ids) - _LISTED} more" if len(ids) > _LISTED else ""
                lines += ["", f"{label} events: {shown}{more}."]
    if removals is not None and any(table.removed for table in removals.tables.values()):
        lines += ["", "## Why rows left", "", "| table | removed | reason |", "| --- | ---: | --- |"]
        for table in removals.tables.values():
            for reason, count in sorted(table.by_reason.items()):
                lines.append(f"| {table.table} | {count} | {reason} |")
        if removals.forgotten_sources:
            shown = ", ".join(f"`{source}`" for source in removals.forgotten_sources[:_LISTED])
            extra = len(removals.forgotten_sources) - _LISTED
            more = f" and {extra} more" if extra > 0 else ""
            lines += ["", f"Inputs forgotten on purpose (`alliance-events sources forget`): {shown}{more}."]
    return "\n".join(lines) + "\n"
