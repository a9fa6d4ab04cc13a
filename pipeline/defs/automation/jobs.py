"""The job, schedule and landing-folder sensor that keep the dataset fresh."""

import json
import os

import dagster as dg

from pipeline.lib.landing import changed_files, run_key, snapshot
from pipeline.lib.settings import Settings

alliance_job = dg.define_asset_job(
    "alliance_pipeline",
    selection=dg.AssetSelection.all(),
    description="Every stage from ingest to the published release, with its quality checks.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=alliance_job,
    cron_schedule=os.environ.get("ALLIANCE_SCHEDULE_CRON", "0 3 * * *"),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Rebuild the release from the configured input folder every day.",
)


@dg.sensor(job=alliance_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Start a run over the landing folder when files appear or change there (cursor: {file: mtime})."""
    settings = Settings.from_env()
    landing = settings.landing_dir or settings.input_dir
    current = snapshot(landing, tuple(settings.ignore_patterns))
    changed = changed_files(context.cursor, current)
    if not changed:
        return dg.SkipReason(f"no new or changed files in {landing}")
    request = dg.RunRequest(
        run_key=run_key(changed, current),
        run_config={"resources": {"pipeline": {"config": {"input_dir": str(landing)}}}},
        tags={"alliance/changed_files": str(len(changed))},
    )
    return dg.SensorResult(run_requests=[request], cursor=json.dumps(current, sort_keys=True))


@dg.definitions
def automation() -> dg.Definitions:
    """Job, schedule and sensor."""
    return dg.Definitions(jobs=[alliance_job], schedules=[daily_refresh], sensors=[landing_folder_sensor])
