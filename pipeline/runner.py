"""One pipeline run over a folder, as `alliance-events run`, the evaluation and the benchmark do it.

1. Ask the one rule of pipeline.lib.batches which batches need a run: of the input folder's
   batches and of those the raw archive holds already (new, changed, unfinished or failed,
   pending, stale); a full refresh takes all of them. The daily schedule and the landing sensor
   ask the same rule.
2. Run the partition job for each of them, ``partition_workers`` at a time in worker processes
   (each loads its spaCy pipelines once and keeps them for every batch it runs). With
   ``ALLIANCE_EXECUTOR=dask`` the steps of those runs execute on the Dask cluster instead.
3. Run the release job once every batch is complete: it combines all batches and publishes. When
   batches run in worker processes, so does the release job, in a fresh one: the calling process
   stays small and the job's memory is returned when it ends.

Every run is recorded in the Dagster instance (the project's ``.dagster/`` unless ``ephemeral``),
so the runs show up in ``dagster dev`` like scheduled ones.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipeline.lib.batches import batches_needing_work, folder_snapshot, read_states
from pipeline.lib.fingerprints import stage_fingerprints
from pipeline.lib.ingest.legacy import adopt_legacy_batches
from pipeline.lib.partitions import PARTITIONS_NAME
from pipeline.lib.settings import Settings
from pipeline.lib.storage import WorkStore

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def partition_job() -> dg.JobDefinition:
    """The partition job, rebuilt from the definitions (a target for ``dg.reconstructable``)."""
    from pipeline.definitions import defs

    return defs().resolve_job_def("alliance_partition")


def release_job() -> dg.JobDefinition:
    """The release job, rebuilt from the definitions (a target for ``dg.reconstructable``)."""
    from pipeline.definitions import defs

    return defs().resolve_job_def("alliance_release")


@dataclass
class RunOutcome:
    """What one pipeline run did."""

    batches: list[str] = field(default_factory=list)  # of the folder and of the archive
    ran: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # why each batch that ran needed work
    failed: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # messages of the steps that failed
    run_ids: list[str] = field(default_factory=list)
    published: bool = False

    @property
    def ok(self) -> bool:
        """True when every batch ran and the release was written."""
        return self.published and not self.failed and not self.failed_checks


def _run_config(settings: Settings) -> dict:
    config = {
        "input_dir": str(settings.input_dir),
        "output_dir": str(settings.output_dir),
        "work_url": settings.resolved_work_url,
        "full_refresh": settings.full_refresh,
    }
    return {
        "resources": {"pipeline": {"config": config}},
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }


def _execute(target, instance: dg.DagsterInstance, run_config: dict, partition: str | None = None):
    tags = {"dagster/partition": partition} if partition else None
    return dg.execute_job(
        dg.reconstructable(target), instance=instance, run_config=run_config, tags=tags, raise_on_error=False
    )


def _step_errors(result) -> list[str]:
    """The messages of the steps of a run that failed."""
    return [
        f"{event.step_key}: {event.step_failure_data.error.message.strip()}"
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error
    ]


def _run_batch(instance: dg.DagsterInstance, run_config: dict, key: str) -> tuple[str, bool, str, list[str]]:
    """Run the partition job for one batch: (key, success, run id, step errors)."""
    result = _execute(partition_job, instance, run_config, key)
    return key, result.success, result.run_id, _step_errors(result)


def _run_batch_in_worker(instance_ref, run_config: dict, key: str) -> tuple[str, bool, str, list[str]]:
    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        return _run_batch(instance, run_config, key)


def _run_release(instance: dg.DagsterInstance, run_config: dict) -> tuple[bool, str, list[str], list[str]]:
    """Run the release job: (success, run id, names of failed blocking checks, step errors)."""
    result = _execute(release_job, instance, run_config)
    failed_checks = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    return result.success, result.run_id, failed_checks, _step_errors(result)


def _run_release_in_worker(instance_ref, run_config: dict) -> tuple[bool, str, list[str], list[str]]:
    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        return _run_release(instance, run_config)


def batches_to_run(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """(every batch of the folder and the archive, batch -> why it needs a run), by the one rule."""
    store = WorkStore(settings.resolved_work_url)
    adopt_legacy_batches(store, settings.input_dir)  # a work store of a version before the archive
    snapshot = folder_snapshot(settings.input_dir, tuple(settings.ignore_patterns))
    states = read_states(store)
    needed = batches_needing_work(snapshot, states, stage_fingerprints(settings), settings.full_refresh)
    return sorted(set(snapshot) | set(states)), needed


def run_folder(settings: Settings, instance: dg.DagsterInstance) -> RunOutcome:
    """Run the batches that need work, then publish; see the module docstring."""
    batches, needed = batches_to_run(settings)
    stale = list(needed)
    outcome = RunOutcome(batches=batches, ran=stale, reasons=needed)
    instance.add_dynamic_partitions(PARTITIONS_NAME, stale)
    run_config = _run_config(settings)
    workers = min(settings.partition_workers, len(stale))
    # One worker per core: numerical libraries (numpy's BLAS under natasha's NER) must not start a
    # thread per core in every worker as well, unless the user chose otherwise.
    in_workers = settings.partition_workers > 1
    if in_workers:
        for variable in THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("spawn")
    if workers <= 1:
        results = [_run_batch(instance, run_config, key) for key in stale]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            jobs = [(instance.get_ref(), run_config, key) for key in stale]
            results = list(pool.map(_run_batch_in_worker, *zip(*jobs, strict=True)))
    outcome.failed = [key for key, success, _, _ in results if not success]
    outcome.run_ids = [run_id for _, _, run_id, _ in results]
    outcome.errors = [f"batch {key}: {error}" for key, _, _, errors in results for error in errors]
    if outcome.failed:
        return outcome
    if in_workers:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            success, run_id, outcome.failed_checks, errors = pool.submit(
                _run_release_in_worker, instance.get_ref(), run_config
            ).result()
    else:
        success, run_id, outcome.failed_checks, errors = _run_release(instance, run_config)
    outcome.errors += errors
    outcome.run_ids.append(run_id)
    outcome.published = success and not outcome.failed_checks
    return outcome


def run_pipeline(settings: Settings, ephemeral: bool = False) -> RunOutcome:
    """Run the pipeline for ``settings`` against the Dagster instance (a temporary one if ``ephemeral``)."""
    if not ephemeral:
        with dg.DagsterInstance.get() as instance:
            return _reported(run_folder(settings, instance))
    with tempfile.TemporaryDirectory(prefix="alliance-dagster-") as home:
        (Path(home) / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        with dg.DagsterInstance.local_temp(home) as instance:
            return _reported(run_folder(settings, instance))


def _reported(outcome: RunOutcome) -> RunOutcome:
    for key, reason in outcome.reasons.items():
        print(f"batch {key}: {reason}", file=sys.stderr)
    for key in outcome.failed:
        print(f"batch run failed: {key} (it is run again next time)", file=sys.stderr)
    for name in outcome.failed_checks:
        print(f"blocking quality check failed: {name}", file=sys.stderr)
    for error in outcome.errors:
        print(error, file=sys.stderr)
    return outcome
