"""The jobs, schedule and sensors that keep the dataset fresh.

Two jobs: ``alliance_partition`` runs the per-batch stages (ingest to event coding) for one
partition, and ``alliance_release`` combines every complete batch, runs the quality checks and
publishes. The landing sensor and the daily schedule request partition runs for new or changed
batches (a run key per batch and signature, so an unchanged batch is never run twice); the release
sensor publishes once partition runs have succeeded and none is still queued or running.
"""

import json
import os

import dagster as dg

from pipeline.defs.resources import ingest_batches
from pipeline.lib.landing import changed_files, snapshot
from pipeline.lib.partitions import PARTITIONS_NAME, input_batches, partition_of
from pipeline.lib.settings import Settings

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


def batch_requests(input_dir, ignore_patterns, keys=None) -> tuple[list[str], list[dg.RunRequest]]:
    """Partition keys of the input folder (those in ``keys`` when given) and a run request for each.

    The run key joins the batch with the signature of its files: a batch whose files did not
    change since its last requested run is not run again.
    """
    batches = input_batches(input_dir, tuple(ignore_patterns))
    wanted = [key for key in batches if keys is None or key in keys]
    requests = [
        dg.RunRequest(
            run_key=f"{key}:{batches[key].signature}",
            partition_key=key,
            run_config=_folder_config(input_dir),
            tags={"alliance/input_files": str(len(batches[key].files))},
        )
        for key in wanted
    ]
    return wanted, requests


@dg.schedule(
    job=partition_job,
    cron_schedule=os.environ.get("ALLIANCE_SCHEDULE_CRON", "0 3 * * *"),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def daily_refresh(context: dg.ScheduleEvaluationContext):
    """Every day, run the batches of the input folder that are new or changed since their last run."""
    settings = Settings.from_env()
    keys, requests = batch_requests(watched_folder(settings), settings.ignore_patterns)
    if not requests:
        return dg.SkipReason(f"no batch in {watched_folder(settings)}")
    context.instance.add_dynamic_partitions(PARTITIONS_NAME, keys)
    return requests


@dg.sensor(job=partition_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Run the batches whose files appeared or changed in the landing folder (cursor: {file: mtime})."""
    settings = Settings.from_env()
    landing = watched_folder(settings)
    current = snapshot(landing, tuple(settings.ignore_patterns))
    changed = changed_files(context.cursor, current)
    if not changed:
        return dg.SkipReason(f"no new or changed files in {landing}")
    keys, requests = batch_requests(
        landing, settings.ignore_patterns, {partition_of(name) for name in changed}
    )
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps(current, sort_keys=True),
        dynamic_partitions_requests=[ingest_batches.build_add_request(keys)],
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
