"""Entry point for Dagster: every definition found under pipeline/defs."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """Load the stage folders (ingest, clean, dedup, entities, events, quality, publish, automation)."""
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
