"""One pipeline run over a folder, as `alliance-events run`, the evaluation and the benchmark do it.

1. Cut the input folder into batches (partitions) and find those that are new, changed or
   unfinished; a full refresh takes all of them and forgets batches that left the folder.
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

from pipeline.defs.automation.jobs import PARTITION_ASSETS
from pipeline.defs.resources import table_relative_path
from pipeline.lib.partitions import PARTITIONS_NAME, input_batches, record_path, records_for, stale_batches
from pipeline.lib.settings import Settings
from pipeline.lib.state import pipeline_fingerprint
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

    batches: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
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


def _run_batch(instance: dg.DagsterInstance, run_config: dict, key: str) -> tuple[str, bool, str]:
    """Run the partition job for one batch: (key, success, run id)."""
    result = _execute(partition_job, instance, run_config, key)
    return key, result.success, result.run_id


def _run_batch_in_worker(instance_ref, run_config: dict, key: str) -> tuple[str, bool, str]:
    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        return _run_batch(instance, run_config, key)


def _run_release(instance: dg.DagsterInstance, run_config: dict) -> tuple[bool, str, list[str]]:
    """Run the release job: (success, run id, names of failed blocking checks)."""
    result = _execute(release_job, instance, run_config)
    failed_checks = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    return result.success, result.run_id, failed_checks


def _run_release_in_worker(instance_ref, run_config: dict) -> tuple[bool, str, list[str]]:
    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        return _run_release(instance, run_config)


def _forget_absent(store: WorkStore, records: dict[str, dict], present: set[str]) -> None:
    """Full refresh: drop the records and tables of batches no longer in the folder."""
    for key in set(records) - present:
        for asset in PARTITION_ASSETS:
            store.remove(table_relative_path(asset, key))
        store.remove(record_path(key))


def run_folder(settings: Settings, instance: dg.DagsterInstance) -> RunOutcome:
    """Run the stale batches of ``settings.input_dir``, then publish; see the module docstring."""
    store = WorkStore(settings.resolved_work_url)
    batches = input_batches(settings.input_dir, tuple(settings.ignore_patterns))
    records = records_for(store, settings.input_dir, pipeline_fingerprint(settings))
    if settings.full_refresh:
        _forget_absent(store, records, set(batches))
        stale = list(batches)
    else:
        stale = stale_batches(batches, records)
    outcome = RunOutcome(batches=list(batches), ran=stale)
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
    outcome.failed = [key for key, success, _ in results if not success]
    outcome.run_ids = [run_id for _, _, run_id in results]
    if outcome.failed:
        return outcome
    if in_workers:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            success, run_id, outcome.failed_checks = pool.submit(
                _run_release_in_worker, instance.get_ref(), run_config
            ).result()
    else:
        success, run_id, outcome.failed_checks = _run_release(instance, run_config)
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
    for key in outcome.failed:
        print(f"batch run failed: {key} (it is run again next time)", file=sys.stderr)
    for name in outcome.failed_checks:
        print(f"blocking quality check failed: {name}", file=sys.stderr)
    return outcome
