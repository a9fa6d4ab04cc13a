"""Validate tables with Great Expectations 1.x suites stored as JSON in ``expectations/``.

One ephemeral context per process. A table reaches GX as pandas frames of the columns the suite
names: expectations that judge each row by itself (not null, in set, regex, between) see it a
slice of rows at a time and their results are added up, so a table of millions of rows never
exists as pandas objects at once; the others (unique, column means) see their columns whole.
Every expectation in the file is
built through GX's registry and counted, because a suite that silently lost an expectation
(unknown type, typo) would pass without checking anything. ``severity`` "critical" marks what
must block publishing; "warning" is published and flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.lib.settings import PROJECT_ROOT

if TYPE_CHECKING:
    import great_expectations as gx

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
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("alliance")
    return source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole")


def load_suite(path: Path) -> gx.ExpectationSuite:
    """Build the suite in ``path``; raise ValueError if any declared expectation was not loaded."""
    # GX is imported when a suite is first used: it takes a fifth of a GB that no other step needs.
    import great_expectations as gx
    from great_expectations.expectations.registry import get_expectation_impl

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


# Expectations that judge every row by itself: validating a table slice by slice and adding up
# the results gives the result of validating it whole.
ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_be_between",
    }
)
# Expectations that only compare values for equality: they see string columns as dense integer
# codes (the same answer from a fraction of the memory), and their samples are decoded again.
EQUALITY_ONLY = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_multicolumn_values_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
SLICE_BYTES = 32 * 1024 * 1024  # Polars bytes per slice handed to pandas
_SAMPLE = 20


def _columns_of(expectation) -> list[str]:
    kwargs = expectation.configuration.kwargs
    named = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    return [c for c in named if c] + list(kwargs.get("column_list") or [])


def _validate_frame(expectations: list, frame: pl.DataFrame) -> list:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="slice", expectations=expectations)
    pandas_frame = frame.to_pandas(use_pyarrow_extension_array=False)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": pandas_frame})
    return list(batch.validate(suite, result_format="BASIC").results)


def _row_slices(frame: pl.LazyFrame, height: int):
    """``frame`` as DataFrames of about SLICE_BYTES each (sized by its first thousand rows), read
    one at a time: only the columns and row groups of a slice are read for it."""
    sample = frame.head(1000).collect()
    if height == 0 or sample.height == 0:
        yield sample
        return
    rows = max(1000, int(SLICE_BYTES * sample.height / max(sample.estimated_size(), 1)))
    for offset in range(0, height, rows):
        yield frame.slice(offset, rows).collect()


@dataclass
class _Tally:
    """Row-wise results of one expectation, added up over slices."""

    successes: list[bool] = field(default_factory=list)
    elements: int = 0
    missing: int = 0
    unexpected: int = 0
    sample: list[Any] = field(default_factory=list)

    def add(self, item) -> None:
        details = item.result or {}
        self.successes.append(bool(item.success))
        self.elements += details.get("element_count") or 0
        self.missing += details.get("missing_count") or 0
        self.unexpected += details.get("unexpected_count") or 0
        self.sample += (details.get("partial_unexpected_list") or [])[: _SAMPLE - len(self.sample)]

    def success(self, kwargs: dict) -> bool:
        mostly = kwargs.get("mostly")
        if mostly is None:
            return all(self.successes)
        judged = self.elements - self.missing
        return judged == 0 or 1 - self.unexpected / judged >= mostly


def _record(config, success: bool, unexpected, observed, sample) -> dict[str, Any]:
    return _jsonable(
        {
            "expectation": config.type,
            "kwargs": {k: v for k, v in config.kwargs.items() if k != "batch_id"},
            "severity": str(getattr(config.severity, "value", config.severity) or "critical").lower(),
            "success": success,
            "unexpected_count": unexpected,
            "observed_value": observed,
            "sample": sample[:5],
            "why": (config.meta or {}).get("why"),
        }
    )


def _code(name: str) -> pl.Expr:
    return pl.col(name).rank("dense").cast(pl.Int64)


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its string columns replaced by dense integer codes (equal values, equal codes)."""
    return frame.select(
        _code(name) if dtype == pl.String else pl.col(name) for name, dtype in frame.schema.items()
    )


def _decoded(sample: list[Any], frame: pl.DataFrame, column: str | None) -> list[Any]:
    """``sample`` (codes, or {column: code} records) as the values of ``frame`` they stand for."""

    def value(name: str | None, code: Any) -> Any:
        if name is None or code is None or frame.schema.get(name) != pl.String:
            return code
        codes = frame.select(pl.col(name), _code(name).alias("_code"))
        found = codes.filter(pl.col("_code") == int(code))
        return found[name][0] if found.height else code

    return [
        {name: value(name, code) for name, code in item.items()}
        if isinstance(item, dict)
        else value(column, item)
        for item in sample
    ]


def validate_table(
    table: str, frame: pl.DataFrame | pl.LazyFrame, suites_dir: Path = SUITES_DIR
) -> SuiteOutcome:
    """Validate ``frame`` against ``<suites_dir>/<table>.json`` (see the module docstring)."""
    suite = load_suite(suites_dir / f"{table}.json")
    expectations = list(suite.expectations)
    present = set(frame.collect_schema().names())
    kinds = {i: e.expectation_type for i, e in enumerate(expectations)}
    row_wise = [i for i, kind in kinds.items() if kind in ROW_WISE]
    equality = [i for i, kind in kinds.items() if kind in EQUALITY_ONLY]
    whole = [i for i in kinds if i not in row_wise and i not in equality]
    records: dict[int, dict[str, Any]] = {}

    def selected(indexes: list[int]) -> pl.LazyFrame:
        named = dict.fromkeys(c for i in indexes for c in _columns_of(expectations[i]))
        return frame.lazy().select([c for c in named if c in present])  # a missing column fails in GX

    def collected(indexes: list[int]) -> pl.DataFrame:
        return selected(indexes).collect()

    def record_whole(indexes: list[int], data: pl.DataFrame, original: pl.DataFrame | None = None) -> None:
        for index, item in zip(
            indexes, _validate_frame([expectations[i] for i in indexes], data), strict=True
        ):
            details = item.result or {}
            sample = details.get("partial_unexpected_list") or []
            if original is not None:
                sample = _decoded(sample[:5], original, item.expectation_config.kwargs.get("column"))
            records[index] = _record(
                item.expectation_config,
                bool(item.success),
                details.get("unexpected_count"),
                details.get("observed_value"),
                sample,
            )

    height = frame.select(pl.len()).collect().item() if isinstance(frame, pl.LazyFrame) else frame.height
    if whole:
        record_whole(whole, collected(whole))
    if equality:
        original = collected(equality)
        record_whole(equality, _coded(original), original)
    if row_wise:
        tallies = {index: _Tally() for index in row_wise}
        configs = {}
        for part in _row_slices(selected(row_wise), height):
            chosen = [expectations[i] for i in row_wise]
            for index, item in zip(row_wise, _validate_frame(chosen, part), strict=True):
                tallies[index].add(item)
                configs[index] = item.expectation_config
        for index, tally in tallies.items():
            config = configs[index]
            records[index] = _record(
                config, tally.success(config.kwargs), tally.unexpected, None, tally.sample
            )
    return SuiteOutcome(table=table, row_count=height, results=[records[i] for i in sorted(records)])
