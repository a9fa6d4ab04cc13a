"""The Dagster definitions load, and their asset and check keys are the reviewed ones."""

from pipeline import definitions

EXPECTED_ASSETS = [
    "_clean_documents",
    "_clean_rejects",
    "_coded_documents",
    "_event_candidates",
    "_mentions",
    "_nlp_shards",
    "_outlet_lines",
    "_sentences",
    "core_actors",
    "core_documents",
    "core_events",
    "core_mentions",
    "core_quarantine",
    "out_release",
    "raw_documents",
    "raw_quarantine",
]
EXPECTED_CHECKS = [
    "actors_suite",
    "documents_suite",
    "events_suite",
    "inputs_conserved",
    "mentions_suite",
    "quarantine_suite",
]


def test_asset_and_check_keys_snapshot():
    defs = definitions.defs()
    assert sorted(key.to_user_string() for key in defs.resolve_all_asset_keys()) == EXPECTED_ASSETS
    assert sorted(key.name for key in defs.resolve_asset_graph().asset_check_keys) == EXPECTED_CHECKS


def test_automation_and_writer_pool():
    defs = definitions.defs()
    partition_job, release_job = (
        defs.resolve_job_def("alliance_partition"),
        defs.resolve_job_def("alliance_release"),
    )
    assert partition_job.partitions_def is not None and release_job.partitions_def is None
    every = set(defs.resolve_all_asset_keys())
    partitioned = {key for key in every if defs.resolve_assets_def(key).partitions_def is not None}
    # each asset runs in exactly one of the two jobs: per batch, or combined for the release
    assert partitioned == set(partition_job.asset_layer.selected_asset_keys)
    assert every - partitioned == set(release_job.asset_layer.selected_asset_keys)
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 3 * * *"
    assert defs.resolve_sensor_def("landing_folder_sensor") is not None
    assert defs.resolve_sensor_def("release_sensor") is not None
    release = defs.resolve_assets_def("out_release")
    assert release.op.pool == "duckdb_writer"


def test_every_quality_check_blocks():
    defs = definitions.defs()
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        assert graph.get_check_spec(key).blocking, key.name
