"""Why rows leave a release, and the guard that keeps a release from shrinking by accident.

A row of the previous release that the new one lacks must have a reason to leave:

- ``source changed``: its input has a new version (the file changed; the new version replaces
  the old one's rows);
- ``forgotten``: its input was forgotten on purpose (``alliance-events sources forget``);
- ``re-derived``: a stage that made it changed since the previous release (an upgrade, a new
  lexicon, other settings), or its document is now a copy of another one (the copy's mentions and
  events are not published).

Rows without one of these reasons are *unexplained*: a lost work store, a batch that vanished, a
bug. A release that would drop more unexplained rows of any table than a set share of it (by
default none) is blocked, with a message that says which batches and why.

Each release records what it was made from in ``provenance.json``: when it was published, the stage
fingerprints of each batch and the fingerprint of the release job, which the next release compares
with its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from pipeline.lib.columns import Frames
from pipeline.lib.partitions import partition_of

PROVENANCE_FILE = "provenance.json"
SOURCE_CHANGED, FORGOTTEN, REDERIVED, NOW_A_COPY = "source changed", "forgotten", "re-derived", "now a copy"
# The stage whose fingerprint stands behind the rows of each table of a batch.
TABLE_STAGES = {"documents": "clean", "quarantine": "clean", "mentions": "entities", "events": "events"}
_UNEXPLAINED = "unexplained"


@dataclass
class TableRemovals:
    """The rows of one table that the new release drops, by reason."""

    table: str
    before: int
    by_reason: dict[str, int] = field(default_factory=dict)
    unexplained_by_batch: dict[str, int] = field(default_factory=dict)

    @property
    def removed(self) -> int:
        """Rows dropped, whatever the reason."""
        return sum(self.by_reason.values())

    @property
    def unexplained(self) -> int:
        """Rows dropped without a reason."""
        return self.by_reason.get(_UNEXPLAINED, 0)


@dataclass
class RemovalAudit:
    """Per table, what leaves the release and why; plus why each batch's rows are unexplained."""

    tables: dict[str, TableRemovals]
    batch_notes: dict[str, str] = field(default_factory=dict)
    forgotten_sources: list[str] = field(default_factory=list)  # inputs forgotten whose rows left

    def blocking(self, max_share: float) -> list[str]:
        """The tables whose unexplained removals exceed ``max_share`` of their rows."""
        return [
            name
            for name, table in self.tables.items()
            if table.unexplained and table.unexplained > max_share * table.before
        ]

    def message(self, max_share: float, previous_version: str | None) -> str:
        """Why the release is blocked, for the operator: tables, batches, what to do."""
        tables = ", ".join(
            f"{name} {self.tables[name].unexplained} of {self.tables[name].before}"
            for name in self.blocking(max_share)
        )
        batches: dict[str, list[str]] = {}
        for name, table in self.tables.items():
            for batch, count in sorted(table.unexplained_by_batch.items()):
                batches.setdefault(batch, []).append(f"{name} {count}")
        listed = [
            f"{batch} ({', '.join(parts)}): {self.batch_notes.get(batch, '')}"
            for batch, parts in batches.items()
        ]
        shown = "; ".join(listed[:10]) + (
            f"; and {len(listed) - 10} more batches" if len(listed) > 10 else ""
        )
        return (
            f"release blocked: it would drop rows that have no reason to leave (their inputs neither "
            f"changed, nor were forgotten, nor re-derived): {tables}. By batch: {shown}. "
            "Put the inputs back into the input folder and run again, forget them on purpose "
            "(`alliance-events sources forget --batch KEY`), or allow such losses with "
            "ALLIANCE_RELEASE_MAX_UNEXPLAINED_DROP (a share of each table, 0 by default). "
            f"`latest` still points to {previous_version or 'no release'}."
        )

    def as_dict(self) -> dict:
        """JSON-ready summary (for CHANGES.md and the run's metadata)."""
        return {
            name: {
                "before": table.before,
                "removed": table.removed,
                "by_reason": table.by_reason,
                "unexplained_by_batch": table.unexplained_by_batch,
            }
            for name, table in self.tables.items()
        }


def read_provenance(release: Path | None) -> dict | None:
    """The provenance record of a release folder (None for releases made before it existed)."""
    path = release / PROVENANCE_FILE if release else None
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def forgotten_since(forgotten: pl.DataFrame, previous_provenance: dict | None) -> pl.DataFrame:
    """The inputs forgotten after the previous release was published: only those explain rows that
    leave now (an input forgotten long ago and archived again is no reason to lose it today)."""
    published = (previous_provenance or {}).get("published_at")
    if not published:
        return forgotten  # a release made before provenance was recorded
    return forgotten.filter(pl.col("forgotten_at") > datetime.fromisoformat(published))


def _batch(source: pl.Expr) -> pl.Expr:
    return source.map_elements(partition_of, return_dtype=pl.String)


def _stage_changed(previous: dict | None, current: dict, stage: str) -> pl.Expr:
    """Per row (by its 'batch' column): whether ``stage`` (or the release job) was re-derived."""
    if previous is None:
        return pl.lit(True)  # a release made before provenance was recorded: no comparison possible
    if previous.get("release_fingerprint") != current.get("release_fingerprint"):
        return pl.lit(True)
    before = {
        key: (value.get("stages") or {}).get(stage) for key, value in previous.get("batches", {}).items()
    }
    now = {key: (value.get("stages") or {}).get(stage) for key, value in current.get("batches", {}).items()}
    changed = sorted(key for key in set(before) | set(now) if before.get(key) != now.get(key))
    return pl.col("batch").is_in(changed)


def _source_reasons(
    removed: pl.DataFrame, published: pl.DataFrame, archive: pl.DataFrame, forgotten: pl.DataFrame
) -> pl.DataFrame:
    """Reasons for rows identified by ``source_path`` (documents, quarantine) that leave.

    ``published``: source_path and content_sha256 of the new release's documents and quarantine;
    ``archive``: source_path, input_file of every archived input.
    """
    new_sha = dict(published.select("source_path", "content_sha256").iter_rows())
    archived_files = set(archive["input_file"].to_list())
    archived_stems = {f.rsplit(".", 1)[0] for f in archived_files}
    forgotten_paths = set(forgotten["source_path"].to_list())
    reasons = []
    for source, sha in removed.select("source_path", "content_sha256").iter_rows():
        input_file = source.rsplit("#", 1)[0] if "#" in source else source
        if source in new_sha:
            reasons.append(SOURCE_CHANGED if new_sha[source] != sha else REDERIVED)
        elif source in forgotten_paths or input_file in forgotten_paths:
            reasons.append(FORGOTTEN)
        elif input_file in archived_files:
            reasons.append(SOURCE_CHANGED)  # the file's new version lacks this line
        elif source.endswith(".meta.json") and source.removesuffix(".meta.json") in archived_stems:
            reasons.append(SOURCE_CHANGED)  # a sidecar's report leaves with its article's new version
        else:
            reasons.append(_UNEXPLAINED)
    return removed.with_columns(pl.Series("reason", reasons, dtype=pl.String))


def _summarise(name: str, before: int, rows: pl.DataFrame) -> TableRemovals:
    result = TableRemovals(name, before, dict(rows.group_by("reason").len().sort("reason").iter_rows()))
    lost = rows.filter(pl.col("reason") == _UNEXPLAINED)
    result.unexplained_by_batch = dict(lost.group_by("batch").len().sort("batch").iter_rows())
    return result


def audit_removals(
    tables: Frames,
    previous: Path,
    previous_provenance: dict | None,
    current_provenance: dict,
    archive: pl.DataFrame,
    forgotten: pl.DataFrame,
) -> RemovalAudit:
    """Classify every row of release folder ``previous`` that ``tables`` lack (see the module docstring)."""

    def scan_old(name: str, columns: list[str]) -> pl.LazyFrame:
        path = previous / "parquet" / f"{name}.parquet"
        if not path.is_file():
            return pl.LazyFrame(schema={c: pl.String for c in columns})
        present = pl.read_parquet_schema(path)
        return pl.scan_parquet(path).select([c for c in columns if c in present])

    def old(name: str, columns: list[str]) -> pl.DataFrame:
        return scan_old(name, columns).collect()

    def new(name: str, columns: list[str]) -> pl.DataFrame:
        return tables[name].lazy().select(columns).collect()

    new_documents = new("documents", ["doc_id", "source_path", "content_sha256", "duplicate_of"])
    new_quarantine = new("quarantine", ["source_path", "content_sha256"])
    published = pl.concat([new_documents.select("source_path", "content_sha256"), new_quarantine])
    audit = RemovalAudit({})

    old_documents = old("documents", ["doc_id", "source_path", "content_sha256"])
    gone_documents = _source_reasons(
        old_documents.join(new_documents, on="doc_id", how="anti"), published, archive, forgotten
    ).with_columns(_batch(pl.col("source_path")).alias("batch"))
    audit.tables["documents"] = _summarise("documents", old_documents.height, gone_documents)

    old_quarantine = old("quarantine", ["source_path", "content_sha256"])
    gone_quarantine = _source_reasons(
        old_quarantine.join(new_quarantine, on="source_path", how="anti"), published, archive, forgotten
    ).with_columns(_batch(pl.col("source_path")).alias("batch"))
    audit.tables["quarantine"] = _summarise("quarantine", old_quarantine.height, gone_quarantine)

    audit.forgotten_sources = sorted(
        set(gone_documents.filter(pl.col("reason") == FORGOTTEN)["source_path"].to_list())
        | set(gone_quarantine.filter(pl.col("reason") == FORGOTTEN)["source_path"].to_list())
    )
    document_reasons = gone_documents.select("doc_id", pl.col("reason").alias("_document_reason"))
    copies = new_documents.filter(pl.col("duplicate_of").is_not_null()).select("doc_id")
    sources = pl.concat(
        [old_documents.select("doc_id", "source_path"), new_documents.select("doc_id", "source_path")]
    )
    sources = sources.unique("doc_id")
    for name, key in (("mentions", "mention_id"), ("events", "event_id")):
        # Millions of mentions: only the keys are compared, and only the rows that left are held.
        before = scan_old(name, [key, "doc_id"])
        count = before.select(pl.len()).collect().item()
        gone = before.join(tables[name].lazy().select(key), on=key, how="anti").collect(engine="streaming")
        gone = gone.join(sources, on="doc_id", how="left")
        gone = gone.with_columns(_batch(pl.col("source_path").fill_null("")).alias("batch")).join(
            document_reasons, on="doc_id", how="left"
        )
        reason = (
            pl.when(pl.col("_document_reason").is_not_null())
            .then(pl.col("_document_reason"))
            .when(pl.col("doc_id").is_in(copies["doc_id"].implode()))
            .then(pl.lit(NOW_A_COPY))
            .when(_stage_changed(previous_provenance, current_provenance, TABLE_STAGES[name]))
            .then(pl.lit(REDERIVED))
            .otherwise(pl.lit(_UNEXPLAINED))
        )
        audit.tables[name] = _summarise(name, count, gone.with_columns(reason.alias("reason")))

    actors_before = old("actors", ["actor_id"])
    gone_actors = actors_before.join(new("actors", ["actor_id"]), on="actor_id", how="anti")
    rebuilt = previous_provenance is None or previous_provenance.get(
        "release_fingerprint"
    ) != current_provenance.get("release_fingerprint")
    gone_actors = gone_actors.with_columns(
        pl.lit(REDERIVED if rebuilt else _UNEXPLAINED).alias("reason"), pl.lit("").alias("batch")
    )
    audit.tables["actors"] = _summarise("actors", actors_before.height, gone_actors)

    archived_batches = set(archive["batch"].to_list()) if "batch" in archive.columns else set()
    for table in audit.tables.values():
        for batch in table.unexplained_by_batch:
            audit.batch_notes[batch] = (
                "its inputs are archived and unchanged, and no stage was re-derived"
                if batch in archived_batches
                else "its inputs are not in the archive (the work store lost them, or they were never archived)"
            )
    return audit
