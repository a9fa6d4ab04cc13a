"""What changed in a landing folder since the last look: the logic of the landing sensor."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.lib.ingest.inputs import list_input_files


def snapshot(folder: Path, ignore_patterns: tuple[str, ...]) -> dict[str, float]:
    """{relative path: mtime} of the input files in ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    files, _ = list_input_files(folder, ignore_patterns)
    return {path.relative_to(folder).as_posix(): path.stat().st_mtime for path in files}


def changed_files(previous_cursor: str | None, current: dict[str, float]) -> list[str]:
    """Files that are new or whose mtime changed since the cursor (a JSON {file: mtime})."""
    previous = json.loads(previous_cursor) if previous_cursor else {}
    return sorted(name for name, mtime in current.items() if previous.get(name) != mtime)
