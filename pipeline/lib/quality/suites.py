"""Validate tables with Great Expectations 1.x suites stored as JSON in ``expectations/``.

One ephemeral context per process, one pandas batch per table. Every expectation in the file is
built through GX's registry and counted, because a suite that silently lost an expectation
(unknown type, typo) would pass without checking anything. ``severity`` "critical" marks what
must block publishing; "warning" is published and flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import great_expectations as gx
import polars as pl
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.registry import get_expectation_impl

from pipeline.lib.settings import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "expectations"


@dataclass
class SuiteOutcome:
    """The result of validating one table against its suite."""

    table: str
    row_count: int
    results: list[dict[str, Any]] = field(default_factory=list)

    def failures(self, severity: str) -> list[dict[str, Any]]:
        """Failed expectations of one severity ("critical" or "warning")."""
        return [r for r in self.results if not r["success"] and r["severity"] == severity]

    @property
    def passed_blocking(self) -> bool:
        """True when no critical expectation failed."""
        return not self.failures("critical")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary for the release's quality folder."""
        return {
            "table": self.table,
            "row_count": self.row_count,
            "evaluated": len(self.results),
            "failed_critical": len(self.failures("critical")),
            "failed_warning": len(self.failures("warning")),
            "results": self.results,
        }


@lru_cache(maxsize=1)
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("alliance")
    return source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole")


def load_suite(path: Path) -> gx.ExpectationSuite:
    """Build the suite in ``path``; raise ValueError if any declared expectation was not loaded."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    declared = spec.get("expectations", [])
    built = []
    for number, item in enumerate(declared):
        try:
            cls = get_expectation_impl(item["type"])
            built.append(
                cls(
                    **item.get("kwargs", {}),
                    severity=item.get("severity", "critical"),
                    meta=item.get("meta") or None,
                )
            )
        except Exception as err:  # GX raises several error types for unknown or invalid expectations
            raise ValueError(
                f"{path.name}: expectation #{number} ({item.get('type')}) cannot be built: {err}"
            ) from err
    suite = gx.ExpectationSuite(name=spec.get("name", path.stem), expectations=built)
    if len(suite.expectations) != len(declared):
        raise ValueError(
            f"{path.name}: {len(declared)} expectations declared, {len(suite.expectations)} loaded"
        )
    return suite


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def validate_table(table: str, frame: pl.DataFrame, suites_dir: Path = SUITES_DIR) -> SuiteOutcome:
    """Validate ``frame`` against ``<suites_dir>/<table>.json``."""
    suite = load_suite(suites_dir / f"{table}.json")
    pandas_frame = frame.to_pandas(use_pyarrow_extension_array=False)
    result = _batch_definition().get_batch(batch_parameters={"dataframe": pandas_frame}).validate(suite)
    outcome = SuiteOutcome(table=table, row_count=frame.height)
    for item in result.results:
        config = item.expectation_config
        details = item.result or {}
        outcome.results.append(
            _jsonable(
                {
                    "expectation": config.type,
                    "kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
                    "severity": str(getattr(config.severity, "value", config.severity) or "critical").lower(),
                    "success": bool(item.success),
                    "unexpected_count": details.get("unexpected_count"),
                    "observed_value": details.get("observed_value"),
                    "sample": (details.get("partial_unexpected_list") or [])[:5],
                    "why": (config.meta or {}).get("why"),
                }
            )
        )
    return outcome
