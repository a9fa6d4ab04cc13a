"""How the contract describes a published table: its columns, their types and constraints, keys.

The tables themselves, and the vocabularies their columns take, are in ``schema.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)
Frames = dict[str, pl.DataFrame | pl.LazyFrame]  # tables by name, eager or lazy

# Frictionless type for each Polars dtype family used below.
_FRICTIONLESS = {
    pl.String: "string",
    pl.Int32: "integer",
    pl.Int64: "integer",
    pl.Float64: "number",
    pl.Boolean: "boolean",
    pl.Date: "date",
    pl.Datetime: "datetime",
}

# Value sets only a run knows; a column names one in ``Column.values`` and the quality checks
# resolve it (``lib/quality/contract.py``).
RUN_TIME_DOMAINS = {
    "event_modes": "the PLOVER modes of the event ontology (pipeline/data/lexicons/ontology.yaml)",
    "actor_ids": "the actor_id values of the actors table",
    "actor_codes": "the code and country values of the actors table",
}


@dataclass(frozen=True)
class Column:
    """One published column and the constraints its values meet (nulls aside, unless required).

    ``values`` lists the allowed values, or names a domain of RUN_TIME_DOMAINS; ``minimum`` and
    ``maximum`` are inclusive; ``pattern`` must match the whole value (as in Frictionless, so
    alternatives need a group).
    """

    name: str
    dtype: pl.DataType | type[pl.DataType]
    description: str
    required: bool = False
    values: tuple[str, ...] | str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: str | None = None
    unique: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.values, str) and self.values not in RUN_TIME_DOMAINS:
            raise ValueError(f"column {self.name}: unknown domain {self.values!r}")

    @property
    def domain(self) -> str | None:
        """The run-time domain the values come from, when the contract cannot list them."""
        return self.values if isinstance(self.values, str) else None

    @property
    def frictionless_type(self) -> str:
        """The Frictionless Table Schema type of this column."""
        if isinstance(self.dtype, pl.List | pl.Struct) or self.dtype in (pl.List, pl.Struct):
            return "array" if isinstance(self.dtype, pl.List) else "object"
        base = self.dtype if isinstance(self.dtype, type) else type(self.dtype)
        return _FRICTIONLESS.get(base, "string")


@dataclass(frozen=True)
class Table:
    """One published table (or view) with its keys."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, table, column)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        """Column name to Polars dtype, in contract order."""
        return {col.name: col.dtype for col in self.columns}

    def conform(self, frame: FrameT) -> FrameT:
        """Select and cast ``frame`` (eager or lazy) to this table's columns; extra columns are dropped."""
        present = frame.collect_schema().names()
        missing = [col.name for col in self.columns if col.name not in present]
        if missing:
            raise ValueError(f"table {self.name} lacks columns {missing}")
        return frame.select([pl.col(col.name).cast(col.dtype) for col in self.columns])

    def empty(self) -> pl.DataFrame:
        """An empty frame with this table's schema."""
        return pl.DataFrame(schema=self.polars_schema)

    def is_unique(self, column: Column) -> bool:
        """Whether no two rows share a value of ``column``: declared unique, or the whole key."""
        return column.unique or self.primary_key == (column.name,)
