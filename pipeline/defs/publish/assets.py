"""Publish stage: a versioned release folder, switched to ``latest`` only when complete.

Before anything is written, the release is compared with the one ``latest`` points to: rows may
leave only for a reason (their input changed, was forgotten on purpose, or a stage re-derived
them); more unexplained losses than ``release_max_unexplained_drop`` allows block the release,
and ``latest`` keeps its target. The quality results come from the checks of this very run, read
from Dagster's event log, never from files an earlier run left behind.
"""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from pipeline.defs.quality.checks import OUTCOME_KEY
from pipeline.defs.resources import PipelineResource
from pipeline.lib.batches import read_states
from pipeline.lib.fingerprints import release_fingerprint
from pipeline.lib.publish.changes import previous_release
from pipeline.lib.publish.release import release_row_counts, release_version, write_release
from pipeline.lib.publish.removals import audit_removals, forgotten_since, read_provenance
from pipeline.lib.schema import PUBLISHED_TABLES


def check_outcomes(instance: dg.DagsterInstance, run_id: str) -> dict[str, dict]:
    """Table -> outcome of its quality check in run ``run_id``, or in the run it retries."""
    outcomes: dict[str, dict] = {}
    while run_id:
        records = instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        for record in records:
            evaluation = record.event_log_entry.dagster_event.event_specific_data
            outcome = evaluation.metadata.get(OUTCOME_KEY)
            if outcome is not None:
                outcomes.setdefault(outcome.value["table"], outcome.value)
        run = instance.get_run_by_id(run_id)
        run_id = run.parent_run_id if run is not None else None
    return outcomes


def _quality(context: dg.AssetExecutionContext) -> dict[str, dict]:
    outcomes = check_outcomes(context.instance, context.run_id)
    missing = [table.name for table in PUBLISHED_TABLES if table.name not in outcomes]
    if missing:
        raise dg.Failure(
            f"the quality checks of {', '.join(missing)} did not run in this run: publish through the "
            "release job (alliance_release), which checks every table first"
        )
    failed = [name for name, outcome in outcomes.items() if outcome.get("failed_critical")]
    if failed:
        raise dg.Failure(
            f"blocking quality checks failed for {', '.join(sorted(failed))}: nothing is published"
        )
    return outcomes


def release_provenance(pipeline: PipelineResource) -> dict:
    """What this release is made from: when, each batch's stage fingerprints, the release job's."""
    states = read_states(pipeline.store())
    return {
        "published_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "release_fingerprint": release_fingerprint(pipeline.settings()),
        "batches": {key: {"stages": state.get("stages") or {}} for key, state in sorted(states.items())},
    }


@dg.asset(
    group_name="publish",
    pool="duckdb_writer",
    description="The release: alliance.duckdb, parquet/, datapackage.json, README.md, quality/, SHA256SUMS.",
)
def out_release(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    core_documents: pl.LazyFrame,
    core_quarantine: pl.LazyFrame,
    core_actors: pl.LazyFrame,
    core_mentions: pl.LazyFrame,
    core_events: pl.LazyFrame,
) -> dg.MaterializeResult:
    """Write the release (runs only after every blocking quality check of this run has passed, and
    only when it drops no row without a reason); the tables stream from the work store into the
    release's Parquet files and DuckDB reads those."""
    settings = pipeline.settings()
    tables = {
        "documents": core_documents,
        "quarantine": core_quarantine,
        "actors": core_actors,
        "mentions": core_mentions,
        "events": core_events,
    }
    quality = _quality(context)
    provenance = release_provenance(pipeline)
    previous = previous_release(settings.output_dir)
    audit = None
    if previous is not None:
        archive, before = pipeline.archive(), read_provenance(previous)
        audit = audit_removals(
            tables,
            previous,
            before,
            provenance,
            archive.full_index(["source_path", "input_file"]),
            forgotten_since(archive.forgotten(), before),
        )
        if audit.blocking(settings.release_max_unexplained_drop):
            raise dg.Failure(
                description=audit.message(settings.release_max_unexplained_drop, previous.name),
                metadata={"removals": dg.MetadataValue.json(audit.as_dict())},
            )
    version = release_version(tables)
    path = write_release(
        tables,
        quality,
        settings.output_dir,
        version,
        keep=settings.release_keep,
        provenance=provenance,
        removals=audit,
    )
    context.log.info(f"published release {version} to {path}")
    return dg.MaterializeResult(
        value=pl.DataFrame({"version": [version], "path": [str(path)]}),
        metadata={
            "version": version,
            "path": dg.MetadataValue.path(str(path)),
            **{f"{name}_rows": rows for name, rows in release_row_counts(path).items()},
            "removals": dg.MetadataValue.json(audit.as_dict() if audit else {}),
        },
    )
