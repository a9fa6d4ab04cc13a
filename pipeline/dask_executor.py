"""The Dask executor: dagster-dask's, with the step arguments handed to Dask as one opaque object.

dagster-dask 0.29 submits each step as ``client.submit(query_on_dask_worker, dependencies, job,
run, run_config, steps, instance_ref, known_state)``. Dask (2024.11 and later) walks every
argument that is a tuple to find nested tasks, and Dagster's record types are tuples that refuse
iteration, so a run of a partitioned job fails before its first step. This executor submits the
same call with the Dagster objects packed into a :class:`_Packed` value, which Dask passes through
untouched; the work on the worker is dagster-dask's own ``query_on_dask_worker``.

Only the ``existing`` (a scheduler address) and ``local`` cluster kinds are wired here; the
other kinds of dagster-dask need their dask-jobqueue / dask-kubernetes packages.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import dask.distributed
from dagster._core.errors import raise_execution_interrupts
from dagster._utils import iterate_with_context
from dagster_dask.executor import DaskExecutor, get_dask_resource_requirements, query_on_dask_worker


class _Packed:
    """Arguments Dask must not look into."""

    def __init__(self, *values) -> None:
        self.values = values


def _run_steps(dependencies: list, packed: _Packed) -> list[dg.DagsterEvent]:
    """On a worker: execute the steps once the dependencies (futures of earlier steps) are done."""
    return list(query_on_dask_worker(dependencies, *packed.values))


class PackedArgsDaskExecutor(DaskExecutor):
    """dagster-dask's executor, submitting each step with its arguments packed (see module docstring)."""

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        if not plan_context.instance.is_persistent:
            raise dg.DagsterInvariantViolationError("Dask execution needs a persistent Dagster instance")
        if self.cluster_type == "existing":
            cluster = self.cluster_configuration["address"]
        elif self.cluster_type == "local":
            cluster = dask.distributed.LocalCluster(**self.build_dict(plan_context.job_name))
        else:
            raise dg.DagsterInvariantViolationError(
                f"cluster kind {self.cluster_type!r}: only 'existing' and 'local' are supported here"
            )
        instance_ref = plan_context.instance.get_ref()
        with dask.distributed.Client(cluster) as client:
            futures: dict[str, dask.distributed.Future] = {}
            for level in execution_plan.get_steps_to_execute_by_level():
                for step in level:
                    dependencies = [
                        futures[key] for step_input in step.step_inputs for key in step_input.dependency_keys
                    ]
                    packed = _Packed(
                        plan_context.reconstructable_job,
                        plan_context.dagster_run,
                        plan_context.run_config,
                        [step.key],
                        instance_ref,
                        execution_plan.known_state,
                    )
                    futures[step.key] = client.submit(
                        _run_steps,
                        dependencies,
                        packed,
                        key=f"{plan_context.job_name}.{plan_context.dagster_run.run_id}.{step.key}",
                        resources=get_dask_resource_requirements(step.tags),
                        pure=False,
                    )
            done = dask.distributed.as_completed(list(futures.values()), with_results=True)
            for _, events in iterate_with_context(raise_execution_interrupts, done):
                yield from events
