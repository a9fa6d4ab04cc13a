"""Great Expectations checks generated from the contract in ``lib/schema.py`` (as PUDL does).

Every fact a column declares becomes one critical expectation, in the dict shape of the suite
files in ``expectations/``: not null when required, unique when it is the key or declared unique,
in a set for allowed values, between for bounds, a regex for a pattern. The datapackage is
written from the same fields, so checks, contract and descriptor cannot drift apart. Values only
a run knows (the ontology's event modes, the actors of this release) are named in the contract
and resolved by :func:`run_time_domains`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

import polars as pl

from pipeline.lib.columns import RUN_TIME_DOMAINS, Column, Table

Spec = dict[str, Any]  # one expectation as a suite file holds it: type, kwargs, severity, meta
Domains = Mapping[str, Collection[str]]  # run-time domain name -> its values


def run_time_domains(actors: pl.DataFrame) -> dict[str, list[str]]:
    """The values of every domain in RUN_TIME_DOMAINS for a release with these ``actors``."""
    from pipeline.lib.events.lexicon import load_event_lexicon

    ontology = load_event_lexicon().ontology
    codes = {value for column in ("code", "country") for value in actors[column].drop_nulls()}
    return {
        "event_modes": sorted({mode for event_type in ontology.values() for mode in event_type.modes}),
        "actor_ids": sorted(actors["actor_id"].drop_nulls().unique()),
        "actor_codes": sorted(codes),
    }


def domains_of(table: Table) -> list[str]:
    """The run-time domains ``table``'s columns name, in column order."""
    return list(dict.fromkeys(column.domain for column in table.columns if column.domain))


def full_match(pattern: str) -> str:
    """``pattern`` anchored at both ends, which is how Frictionless reads a field's pattern."""
    return f"^{pattern}$"


def _spec(kind: str, why: str, **kwargs: Any) -> Spec:
    return {"type": f"expect_{kind}", "kwargs": kwargs, "severity": "critical", "meta": {"why": why}}


def _bounds_text(column: Column) -> str:
    if column.maximum is None:
        return f">= {column.minimum}"
    if column.minimum is None:
        return f"<= {column.maximum}"
    return f"in [{column.minimum}, {column.maximum}]"


def _column_specs(table: Table, column: Column, domains: Domains) -> Iterator[Spec]:
    name = column.name
    if column.required:
        yield _spec("column_values_to_not_be_null", f"{name} is required by the contract", column=name)
    if table.is_unique(column):
        key = table.primary_key == (name,)
        why = f"{name} is the primary key of {table.name}" if key else f"{name} is unique by the contract"
        yield _spec("column_values_to_be_unique", why, column=name)
    if column.domain:
        spec = _spec(
            "column_values_to_be_in_set",
            f"{name} is one of {RUN_TIME_DOMAINS[column.domain]}",
            column=name,
            value_set=sorted(domains[column.domain]),
        )
        spec["meta"]["domain"] = column.domain  # the record names the domain instead of listing it
        yield spec
    elif column.values is not None:
        why = f"{name} takes a value the contract lists"
        yield _spec("column_values_to_be_in_set", why, column=name, value_set=list(column.values))
    bounds = {"min_value": column.minimum, "max_value": column.maximum}
    bounds = {key: value for key, value in bounds.items() if value is not None}
    if bounds:
        why = f"{name} is {_bounds_text(column)} by the contract"
        yield _spec("column_values_to_be_between", why, column=name, **bounds)
    if column.pattern:
        why = f"{name} matches the contract's pattern {column.pattern}"
        yield _spec("column_values_to_match_regex", why, column=name, regex=full_match(column.pattern))


def contract_expectations(table: Table, domains: Domains | None = None) -> list[Spec]:
    """The critical expectations the contract of ``table`` implies, in column order.

    ``domains`` holds the values of the run-time domains the table names; a missing one is a
    ValueError, because a check left out for want of its values would pass without checking.
    """
    domains = domains or {}
    missing = [name for name in domains_of(table) if name not in domains]
    if missing:
        raise ValueError(f"checking {table.name} needs the run-time domains {missing}")
    specs = []
    if len(table.primary_key) > 1:
        why = f"({', '.join(table.primary_key)}) is the primary key of {table.name}"
        specs.append(_spec("compound_columns_to_be_unique", why, column_list=list(table.primary_key)))
    for column in table.columns:
        specs.extend(_column_specs(table, column, domains))
    return specs
