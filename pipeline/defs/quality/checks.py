"""Quality stage: per published table, a blocking Dagster asset check of its expectations.

The expectations are those generated from the contract (pipeline/lib/schema.py) plus the semantic
ones of the GX suite ``expectations/<table>.json``. A failed "critical" expectation fails the check
with ERROR severity, which stops publishing; a failed "warning" expectation is published and
flagged (WARN). Each outcome travels in the check's metadata, in Dagster's event log, from where
``out_release`` reads the outcomes of its own run into the release's quality/ folder. The large
tables arrive as LazyFrames and are read only as far as their expectations need.
"""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.publish.changes import previous_release
from pipeline.lib.quality.contract import run_time_domains
from pipeline.lib.quality.derived import (
    events_per_document,
    with_document_checks,
    with_event_checks,
    with_mention_checks,
)
from pipeline.lib.quality.suites import SuiteOutcome, validate_table

OUTCOME_KEY = "outcome"  # metadata entry holding the whole SuiteOutcome as JSON


def _result(outcome: SuiteOutcome) -> dg.AssetCheckResult:
    critical, warnings = outcome.failures("critical"), outcome.failures("warning")
    return dg.AssetCheckResult(
        passed=not critical and not warnings,
        severity=dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": outcome.row_count,
            "expectations": len(outcome.results),
            "failed_critical": dg.MetadataValue.json([f"{r['expectation']} {r['kwargs']}" for r in critical]),
            "failed_warning": dg.MetadataValue.json([f"{r['expectation']} {r['kwargs']}" for r in warnings]),
            # The whole outcome travels in the event log: the release reads it from there.
            OUTCOME_KEY: dg.MetadataValue.json(outcome.as_dict()),
        },
    )


@dg.asset_check(
    asset="core_documents",
    blocking=True,
    description="contract expectations and GX suite expectations/documents.json",
)
def documents_suite(core_documents: pl.LazyFrame) -> dg.AssetCheckResult:
    """Validate the documents table."""
    return _result(validate_table("documents", with_document_checks(core_documents)))


@dg.asset_check(
    asset="core_quarantine",
    blocking=True,
    description="contract expectations and GX suite expectations/quarantine.json",
)
def quarantine_suite(core_quarantine: pl.DataFrame) -> dg.AssetCheckResult:
    """Validate the quarantine table."""
    return _result(validate_table("quarantine", core_quarantine))


@dg.asset_check(
    asset="core_actors",
    blocking=True,
    description="contract expectations and GX suite expectations/actors.json",
)
def actors_suite(core_actors: pl.DataFrame) -> dg.AssetCheckResult:
    """Validate the actors table."""
    return _result(validate_table("actors", core_actors.drop("aliases", "roles")))


@dg.asset_check(
    asset="core_mentions",
    blocking=True,
    description="contract expectations and GX suite expectations/mentions.json",
    additional_ins={"core_documents": dg.AssetIn("core_documents"), "core_actors": dg.AssetIn("core_actors")},
)
def mentions_suite(
    core_mentions: pl.LazyFrame,
    core_documents: pl.LazyFrame,
    core_actors: pl.DataFrame,
) -> dg.AssetCheckResult:
    """Validate the mentions table, offsets and actor references included."""
    checked = with_mention_checks(core_mentions, core_documents)
    return _result(validate_table("mentions", checked, domains=run_time_domains(core_actors)))


@dg.asset_check(
    asset="core_events",
    blocking=True,
    description="contract expectations and GX suite expectations/events.json",
    additional_ins={"core_documents": dg.AssetIn("core_documents"), "core_actors": dg.AssetIn("core_actors")},
)
def events_suite(
    pipeline: PipelineResource,
    core_events: pl.LazyFrame,
    core_documents: pl.LazyFrame,
    core_actors: pl.DataFrame,
) -> dg.AssetCheckResult:
    """Validate the events table, evidence offsets and actor references included, and compare
    events per document with the release now published."""
    previous = previous_release(pipeline.settings().output_dir)
    before = None
    if previous is not None:
        before = events_per_document(
            pl.read_parquet(previous / "parquet" / "events.parquet", columns=["event_id"]),
            pl.read_parquet(previous / "parquet" / "documents.parquet", columns=["doc_id", "duplicate_of"]),
        )
    checked = with_event_checks(core_events, core_documents, previous_events_per_document=before)
    return _result(validate_table("events", checked, domains=run_time_domains(core_actors)))
