"""Running the pipeline in a test: the runner in this process, and what its runs recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.lib.settings import Settings
from pipeline.runner import RunOutcome, run_folder


@dataclass
class PipelineRun:
    """One `alliance-events run` equivalent: its outcome and the events of its Dagster runs."""

    outcome: RunOutcome
    records: list[dg.EventLogEntry]

    @property
    def success(self) -> bool:
        return self.outcome.ok

    def check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [
            record.dagster_event.event_specific_data
            for record in self.records
            if record.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ]

    def metadata(self, asset: str) -> dict:
        """The asset's materialisation metadata; numbers are summed over the batches that ran."""
        merged: dict = {}
        for record in self.records:
            if record.dagster_event.event_type != dg.DagsterEventType.ASSET_MATERIALIZATION:
                continue
            materialization = record.dagster_event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() != asset:
                continue
            for key, value in materialization.metadata.items():
                value = value.value
                merged[key] = merged.get(key, 0) + value if isinstance(value, int | float) else value
        if not merged:
            raise KeyError(asset)
        return merged


def run(
    input_dir: Path,
    output_dir: Path,
    monkeypatch,
    full_refresh: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> PipelineRun:
    """Run the pipeline on ``input_dir`` into ``output_dir`` (batches one after the other, in process)."""
    monkeypatch.setenv("ALLIANCE_INPUT_DIR", str(input_dir))
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(output_dir))
    monkeypatch.setenv("ALLIANCE_FULL_REFRESH", "true" if full_refresh else "false")
    monkeypatch.setenv("ALLIANCE_PARTITION_WORKERS", "1")
    instance = instance or dg.DagsterInstance.ephemeral()
    outcome = run_folder(Settings.from_env(), instance)
    records = [
        record
        for run_id in outcome.run_ids
        for record in instance.all_logs(run_id)
        if record.dagster_event is not None
    ]
    return PipelineRun(outcome, records)


def release_table(output: Path, name: str) -> pl.DataFrame:
    """A table of the latest release in ``output``."""
    return pl.read_parquet(output / "latest" / "parquet" / f"{name}.parquet")
