"""The same definitions on a Dask cluster (2 local workers): same release as the default executor.

Steps run in the Dask worker processes and hand their tables over through the work store, given
as a file:// URL (the code path of s3:// or gs:// stores), never through one process's memory.
"""

import os
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipeline.lib.schema import PUBLISHED_TABLES
from pipeline.lib.settings import PROJECT_ROOT, Settings
from pipeline.runner import run_folder

SAMPLE = PROJECT_ROOT / "data" / "sample"

pytestmark = pytest.mark.e2e


def _release(monkeypatch, tmp_path: Path, name: str, executor: str, address: str | None = None):
    monkeypatch.setenv("ALLIANCE_INPUT_DIR", str(SAMPLE))
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(tmp_path / name / "out"))
    monkeypatch.setenv("ALLIANCE_WORK_URL", (tmp_path / name / "work").as_uri())
    monkeypatch.setenv("ALLIANCE_EXECUTOR", executor)
    monkeypatch.setenv("ALLIANCE_PARTITION_WORKERS", "2" if executor == "dask" else "1")
    if address:
        monkeypatch.setenv("ALLIANCE_DASK_ADDRESS", address)
    home = tmp_path / name / "dagster"
    home.mkdir(parents=True)
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        outcome = run_folder(Settings.from_env(), instance)
        assert outcome.ok, outcome
        step_pids = {
            record.dagster_event.pid
            for run_id in outcome.run_ids
            for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
        }
    latest = (tmp_path / name / "out" / "latest").resolve()
    tables = {
        table.name: pl.read_parquet(latest / "parquet" / f"{table.name}.parquet")
        for table in PUBLISHED_TABLES
    }
    return tables, step_pids


def test_dask_executor_gives_the_default_release(tmp_path):
    distributed = pytest.importorskip("distributed")
    with pytest.MonkeyPatch.context() as monkeypatch:
        default, _ = _release(monkeypatch, tmp_path, "default", "in_process")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        pytest.MonkeyPatch.context() as monkeypatch,
    ):
        workers = set(client.run(os.getpid).values())
        on_dask, step_pids = _release(monkeypatch, tmp_path, "dask", "dask", cluster.scheduler_address)
    assert len(workers) == 2 and step_pids and step_pids <= workers  # every step ran on a worker
    assert not (tmp_path / "dask" / "out" / "_work").exists()  # the work store was the URL
    for name, table in default.items():
        timestamps = [column for column in table.columns if column.endswith("_at")]
        assert on_dask[name].drop(timestamps).equals(table.drop(timestamps)), name
