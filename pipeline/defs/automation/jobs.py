"""The jobs, schedule and sensors that keep the dataset fresh.

Two jobs: ``alliance_partition`` runs the per-batch stages (ingest to event coding) for one
partition, and ``alliance_release`` combines every archived batch, runs the quality checks and
publishes. The daily schedule and the landing-folder sensor request partition runs by the one
rule of pipeline.lib.batches (the rule ``alliance-events run`` follows too): for the batches that
are new, changed, unfinished or failed, pending, or stale, and for no other, leaving out those
with a run queued or in progress. The release sensor publishes once partition runs have
succeeded and none is still queued or running.
"""

import os

import dagster as dg

from pipeline.defs.resources import ingest_batches
from pipeline.lib.batches import batches_needing_work, folder_snapshot, read_states, work_token
from pipeline.lib.fingerprints import stage_fingerprints
from pipeline.lib.ingest.legacy import adopt_legacy_batches
from pipeline.lib.partitions import PARTITIONS_NAME
from pipeline.lib.settings import Settings
from pipeline.lib.storage import WorkStore

PARTITION_JOB, RELEASE_JOB = "alliance_partition", "alliance_release"
PARTITION_ASSETS = (
    "raw_documents",
    "raw_quarantine",
    "_clean_documents",
    "_sentences",
    "_clean_rejects",
    "_outlet_lines",
    "_nlp_shards",
    "_mentions",
    "_coded_documents",
    "_event_candidates",
)
RELEASE_ASSETS = (
    "core_documents",
    "core_quarantine",
    "core_actors",
    "core_mentions",
    "core_events",
    "out_release",
)
ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]

partition_job = dg.define_asset_job(
    PARTITION_JOB,
    selection=dg.AssetSelection.assets(*PARTITION_ASSETS),
    partitions_def=ingest_batches,
    description="The per-batch stages (ingest, clean, entities, event coding) for one ingest batch.",
)

release_job = dg.define_asset_job(
    RELEASE_JOB,
    selection=dg.AssetSelection.assets(*RELEASE_ASSETS),
    tags={"alliance/job": "release"},
    description="Combine every complete batch, check the published tables and write the release.",
)


def watched_folder(settings: Settings):
    """The folder the schedule and sensors run on: the landing folder, else the input folder."""
    return settings.landing_dir or settings.input_dir


def _folder_config(folder) -> dict:
    return {"resources": {"pipeline": {"config": {"input_dir": str(folder)}}}}


def _partition_runs(instance: dg.DagsterInstance, statuses=None, key: str | None = None, limit=None):
    tags = {"dagster/partition": key} if key else None
    filters = dg.RunsFilter(job_name=PARTITION_JOB, statuses=statuses, tags=tags)
    return instance.get_runs(filters=filters, limit=limit)


def batch_run_requests(
    instance: dg.DagsterInstance, settings: Settings
) -> tuple[dict[str, str], list[dg.RunRequest]]:
    """The batches that need a run (key -> why) and a run request for each without one in flight.

    The run key joins the batch with a token of why it needs work, so a request is made again
    only for a new cause: other files, other fingerprints, or a run that finished (and failed)
    since.
    """
    folder, store = watched_folder(settings), WorkStore(settings.resolved_work_url)
    adopt_legacy_batches(store, folder)  # once, for a work store of a version before the archive
    snapshot = folder_snapshot(folder, tuple(settings.ignore_patterns))
    fingerprints = stage_fingerprints(settings)
    needed = batches_needing_work(snapshot, read_states(store), fingerprints)
    in_flight = {run.tags.get("dagster/partition") for run in _partition_runs(instance, ACTIVE)}
    requests = []
    for key, reason in needed.items():
        if key in in_flight:
            continue
        last = _partition_runs(instance, key=key, limit=1)
        token = work_token(key, reason, snapshot.get(key), fingerprints, last[0].run_id if last else None)
        requests.append(
            dg.RunRequest(
                run_key=f"{key}:{token}",
                partition_key=key,
                run_config=_folder_config(folder),
                tags={"alliance/reason": reason[:200]},
            )
        )
    return needed, requests


def _skip_reason(needed: dict[str, str], settings: Settings) -> str:
    if needed:
        return f"{len(needed)} batches need work and each has a run queued or in progress"
    return f"every batch of the archive and of {watched_folder(settings)} is up to date"


@dg.schedule(
    job=partition_job,
    cron_schedule=os.environ.get("ALLIANCE_SCHEDULE_CRON", "0 3 * * *"),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def daily_refresh(context: dg.ScheduleEvaluationContext):
    """Every day, run the batches that need work (pipeline.lib.batches), and no other."""
    settings = Settings.from_env()
    needed, requests = batch_run_requests(context.instance, settings)
    if not requests:
        return dg.SkipReason(_skip_reason(needed, settings))
    context.instance.add_dynamic_partitions(PARTITIONS_NAME, [r.partition_key for r in requests])
    return requests


@dg.sensor(job=partition_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Run the batches that need work (pipeline.lib.batches): files that appeared or changed in the
    landing folder, failed or unfinished runs, stale stages."""
    settings = Settings.from_env()
    needed, requests = batch_run_requests(context.instance, settings)
    if not requests:
        return dg.SkipReason(_skip_reason(needed, settings))
    keys = [request.partition_key for request in requests]
    return dg.SensorResult(
        run_requests=requests, dynamic_partitions_requests=[ingest_batches.build_add_request(keys)]
    )


@dg.sensor(job=release_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def release_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Publish once batch runs have succeeded since the last release and none is queued or running."""
    instance = context.instance
    if instance.get_runs(filters=dg.RunsFilter(job_name=PARTITION_JOB, statuses=ACTIVE), limit=1):
        return dg.SkipReason("batch runs are still queued or running")
    latest = instance.get_runs(
        filters=dg.RunsFilter(job_name=PARTITION_JOB, statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1
    )
    if not latest:
        return dg.SkipReason("no batch run has succeeded yet")
    if context.cursor == latest[0].run_id:
        return dg.SkipReason("the latest release already holds every finished batch run")
    request = dg.RunRequest(
        run_key=latest[0].run_id, run_config=_folder_config(watched_folder(Settings.from_env()))
    )
    return dg.SensorResult(run_requests=[request], cursor=latest[0].run_id)


@dg.definitions
def automation() -> dg.Definitions:
    """Jobs, schedule and sensors."""
    return dg.Definitions(
        jobs=[partition_job, release_job],
        schedules=[daily_refresh],
        sensors=[landing_folder_sensor, release_sensor],
    )
