"""The project's executor: in process, in one process per step, or on a Dask cluster.

The kind is chosen when a run starts. The Dask executor (pipeline/dask_executor.py) is imported
only for a run that asks for it: dask.distributed and dagster-dask take most of a second to
import, which every process (the command, batch workers, the release job) would pay otherwise.
"""

from __future__ import annotations

import enum

import dagster as dg
from dagster._core.execution.retries import RetryMode
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.executor.multiprocess import MultiprocessExecutor

from pipeline.lib.settings import Settings


class ExecutorKind(enum.Enum):
    """Where the steps of a run execute."""

    in_process = "in_process"
    multiprocess = "multiprocess"
    dask = "dask"


@dg.executor(
    name="alliance",
    config_schema={
        "kind": dg.Field(
            dg.Enum.from_python_enum(ExecutorKind),
            is_required=False,
            description="in_process, multiprocess or dask; default ALLIANCE_EXECUTOR.",
        ),
        "dask_address": dg.Field(
            str,
            is_required=False,
            description="Dask scheduler (tcp://host:8786); default ALLIANCE_DASK_ADDRESS.",
        ),
    },
)
def alliance_executor(init_context) -> dg.Executor:
    """The executor named when the run starts (run config, else the settings), not when the code loads.

    Dagster caches reconstructed definitions per process, so an executor fixed at load time would
    outlive a change of ALLIANCE_EXECUTOR; choosing here keeps every run on the executor it asks for.
    """
    settings = Settings.from_env()
    config = init_context.executor_config
    kind = ExecutorKind(config["kind"]) if config.get("kind") else ExecutorKind(settings.executor)
    if kind is ExecutorKind.dask:
        from pipeline.dask_executor import PackedArgsDaskExecutor

        address = config.get("dask_address") or settings.dask_address
        if address:
            return PackedArgsDaskExecutor("existing", {"address": address})
        return PackedArgsDaskExecutor("local", {"n_workers": 2, "threads_per_worker": 1})
    if kind is ExecutorKind.multiprocess:
        return MultiprocessExecutor(retries=RetryMode.ENABLED, max_concurrent=None)
    return InProcessExecutor(retries=RetryMode.ENABLED)
