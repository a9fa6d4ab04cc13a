"""Write a release folder and switch ``latest`` to it only when it is complete.

Layout (DATASET.md): alliance.duckdb (tables + views from sql/views), parquet/<table>.parquet
(zstd), datapackage.json, README.md, CHANGES.md (against the previous release: rows added,
removed and changed, and why rows left), provenance.json (the stage fingerprints of each batch),
report.html (charts, offline), quality/, SHA256SUMS. Everything is written into a hidden
temporary folder beside the releases, renamed into place, and only then is the ``latest``
symlink replaced (an atomic rename), so a reader never sees a half-written release.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from pipeline.lib.columns import Frames
from pipeline.lib.publish.changes import LATEST, changes_markdown, previous_release, table_changes
from pipeline.lib.publish.describe import analyst_readme, datapackage
from pipeline.lib.publish.quality_page import quality_html
from pipeline.lib.publish.removals import PROVENANCE_FILE, RemovalAudit
from pipeline.lib.publish.report import report_html
from pipeline.lib.schema import PUBLISHED_TABLES
from pipeline.lib.sql import load_view_statements
from pipeline.lib.storage import SINK_ROW_GROUP_ROWS

RELEASES = "releases"


DUCKDB_MEMORY_LIMIT = "256MB"  # DuckDB spills to disk beyond this while it loads the release


def release_version(tables: Frames, now: datetime | None = None) -> str:
    """A sortable version: UTC time of the run plus a digest of the event ids."""
    now = now or datetime.now(UTC)
    ids = ""
    if "events" in tables:
        event_ids = tables["events"].lazy().select("event_id").collect()["event_id"]
        ids = "\n".join(sorted(event_ids.to_list()))
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + hashlib.sha256(ids.encode()).hexdigest()[:8]


def _write_duckdb(path: Path, parquet_files: dict[str, Path]) -> None:
    # Files in the v1.0 storage format open in every DuckDB since 1.0 (the CLI and R packages
    # lag behind the Python one). DuckDB streams the release's own Parquet files into its tables.
    config = {"storage_compatibility_version": "v1.0.0", "memory_limit": DUCKDB_MEMORY_LIMIT}
    with duckdb.connect(str(path), config=config) as con:
        for name, parquet in parquet_files.items():
            # name from our schema, not input
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(parquet)])
        for statement in load_view_statements():
            con.execute(statement)


def _sha256sums(folder: Path) -> str:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}")
    return "\n".join(lines) + "\n"


def _switch_latest(output_dir: Path, version: str) -> None:
    link = output_dir / LATEST
    temporary = output_dir / f".{LATEST}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(Path(RELEASES) / version, target_is_directory=True)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(temporary, link)
    (output_dir / "LATEST").write_text(version + "\n", encoding="utf-8")


def prune_releases(output_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` releases (never the one ``latest`` points to)."""
    releases = output_dir / RELEASES
    if not releases.is_dir():
        return []
    current = (output_dir / LATEST).resolve().name if (output_dir / LATEST).exists() else None
    versions = sorted(p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    doomed = [v for v in versions[:-keep] if v != current] if keep > 0 else []
    for version in doomed:
        shutil.rmtree(releases / version)
    return doomed


def release_row_counts(release: Path) -> dict[str, int]:
    """Rows of each published table of a release folder."""
    return {
        table.name: pq.read_metadata(release / "parquet" / f"{table.name}.parquet").num_rows
        for table in PUBLISHED_TABLES
    }


def write_release(
    tables: Frames,
    quality: dict[str, dict],
    output_dir: Path,
    version: str,
    keep: int = 5,
    provenance: dict | None = None,
    removals: RemovalAudit | None = None,
) -> Path:
    """Write all published tables as release ``version`` and point ``latest`` at it.

    ``provenance`` (what the release is made from) is kept as provenance.json; ``removals`` (why
    rows of the previous release left) goes into CHANGES.md.

    The tables may be lazy: they are streamed into the Parquet files, and the DuckDB file, the
    report and the changes are made from those files, so no table need fit in memory whole.
    """
    releases = output_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{version}-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "parquet").mkdir(parents=True)
    (staging / "quality").mkdir()
    parquet_files = {table.name: staging / "parquet" / f"{table.name}.parquet" for table in PUBLISHED_TABLES}
    for table in PUBLISHED_TABLES:
        table.conform(tables[table.name].lazy()).sink_parquet(
            parquet_files[table.name], compression="zstd", statistics=True, row_group_size=SINK_ROW_GROUP_ROWS
        )
    _write_duckdb(staging / "alliance.duckdb", parquet_files)
    counts = release_row_counts(staging)
    published = {name: pl.scan_parquet(path) for name, path in parquet_files.items()}
    descriptor = datapackage(version, counts)
    (staging / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (staging / "README.md").write_text(analyst_readme(version, counts), encoding="utf-8")
    (staging / "quality" / "results.json").write_text(
        json.dumps(quality, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    (staging / "quality" / "index.html").write_text(quality_html(version, quality), encoding="utf-8")
    (staging / "report.html").write_text(report_html(version, published, quality), encoding="utf-8")
    previous = previous_release(output_dir)
    (staging / "CHANGES.md").write_text(
        changes_markdown(version, previous, table_changes(published, previous), removals), encoding="utf-8"
    )
    (staging / PROVENANCE_FILE).write_text(
        json.dumps({"version": version, **(provenance or {})}, indent=2, sort_keys=True), encoding="utf-8"
    )
    (staging / "SHA256SUMS").write_text(_sha256sums(staging), encoding="utf-8")
    final = releases / version
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    _switch_latest(output_dir, version)
    prune_releases(output_dir, keep)
    return final
