"""Write a release folder and switch ``latest`` to it only when it is complete.

Layout (DATASET.md): alliance.duckdb (tables + views from sql/views), parquet/<table>.parquet
(zstd), datapackage.json, README.md, CHANGES.md (against the previous release), report.html
(charts, offline), quality/, SHA256SUMS. Everything is written into a hidden
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

from pipeline.lib.publish.changes import LATEST, changes_markdown, previous_release, table_changes
from pipeline.lib.publish.describe import analyst_readme, datapackage
from pipeline.lib.publish.quality_page import quality_html
from pipeline.lib.publish.report import report_html
from pipeline.lib.schema import PUBLISHED_TABLES
from pipeline.lib.sql import load_view_statements

RELEASES = "releases"


def release_version(tables: dict[str, pl.DataFrame], now: datetime | None = None) -> str:
    """A sortable version: UTC time of the run plus a digest of the event ids."""
    now = now or datetime.now(UTC)
    ids = "\n".join(sorted(tables["events"]["event_id"].to_list())) if "events" in tables else ""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + hashlib.sha256(ids.encode()).hexdigest()[:8]


def _write_duckdb(path: Path, tables: dict[str, pl.DataFrame]) -> None:
    # Files in the v1.0 storage format open in every DuckDB since 1.0 (the CLI and R packages
    # lag behind the Python one).
    with duckdb.connect(str(path), config={"storage_compatibility_version": "v1.0.0"}) as con:
        for name, frame in tables.items():
            arrow = frame.to_arrow()
            con.register("_incoming", arrow)
            con.execute(
                f'CREATE TABLE "{name}" AS SELECT * FROM _incoming'
            )  # name from our schema, not input
            con.unregister("_incoming")
        for statement in load_view_statements():
            con.execute(statement)


def _sha256sums(folder: Path) -> str:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
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


def write_release(
    tables: dict[str, pl.DataFrame],
    quality: dict[str, dict],
    output_dir: Path,
    version: str,
    keep: int = 5,
) -> Path:
    """Write all published tables as release ``version`` and point ``latest`` at it."""
    releases = output_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{version}-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "parquet").mkdir(parents=True)
    (staging / "quality").mkdir()
    ordered = {table.name: table.conform(tables[table.name]) for table in PUBLISHED_TABLES}
    for name, frame in ordered.items():
        frame.write_parquet(staging / "parquet" / f"{name}.parquet", compression="zstd", statistics=True)
    _write_duckdb(staging / "alliance.duckdb", ordered)
    counts = {name: frame.height for name, frame in ordered.items()}
    descriptor = datapackage(version, counts)
    (staging / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (staging / "README.md").write_text(analyst_readme(version, counts), encoding="utf-8")
    (staging / "quality" / "results.json").write_text(
        json.dumps(quality, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    (staging / "quality" / "index.html").write_text(quality_html(version, quality), encoding="utf-8")
    (staging / "report.html").write_text(report_html(version, ordered, quality), encoding="utf-8")
    previous = previous_release(output_dir)
    (staging / "CHANGES.md").write_text(
        changes_markdown(version, previous, table_changes(ordered, previous)), encoding="utf-8"
    )
    (staging / "SHA256SUMS").write_text(_sha256sums(staging), encoding="utf-8")
    final = releases / version
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    _switch_latest(output_dir, version)
    prune_releases(output_dir, keep)
    return final
