"""What changed since the previous release: rows per table and events added, removed or changed.

Rows are matched by their primary key (``event_id``, ``doc_id`` ...); a row "changed" when any
published column differs. The summary is written as ``CHANGES.md`` into each release, so that a
reader of the data sees what a new release did to the rows they use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

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


def _row_hashes(frame: pl.DataFrame, key: str) -> dict[str, int]:
    columns = [column for column in frame.columns if column != "ingested_at" and column != "seen_at"]
    hashes = frame.select(columns).hash_rows(seed=0)
    return dict(zip(frame[key].to_list(), hashes.to_list(), strict=True))


def table_changes(tables: dict[str, pl.DataFrame], previous: Path | None) -> list[TableChange]:
    """Per published table: row counts and keys added, removed and changed against ``previous``.

    Timestamps of ingestion are left out of the comparison: a re-run is not a change.
    """
    changes = []
    for table in PUBLISHED_TABLES:
        frame = table.conform(tables[table.name])
        key = table.primary_key[0] if len(table.primary_key) == 1 else None
        old_path = previous / "parquet" / f"{table.name}.parquet" if previous else None
        old = pl.read_parquet(old_path) if old_path and old_path.is_file() else None
        if key is None or old is None or key not in old.columns:
            changes.append(
                TableChange(table.name, old.height if old is not None else 0, frame.height, [], [], [])
            )
            continue
        old = old.select([column for column in frame.columns if column in old.columns])
        new_rows = _row_hashes(frame.select(old.columns), key)
        old_rows = _row_hashes(old, key)
        changes.append(
            TableChange(
                table.name,
                old.height,
                frame.height,
                sorted(set(new_rows) - set(old_rows)),
                sorted(set(old_rows) - set(new_rows)),
                sorted(k for k in set(new_rows) & set(old_rows) if new_rows[k] != old_rows[k]),
            )
        )
    return changes


def changes_markdown(version: str, previous: Path | None, changes: list[TableChange]) -> str:
    """CHANGES.md of release ``version``."""
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
    return "\n".join(lines) + "\n"
