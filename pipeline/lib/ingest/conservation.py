"""Which inputs of a folder are neither a document nor a quarantine row (should be none)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.lib.ingest.inputs import JSONL_SUFFIX, SIDECAR_SUFFIX, jsonl_lines, list_input_files


def expected_inputs(
    input_dir: Path, ignore_patterns: tuple[str, ...], batch: Callable[[Path], bool] | None = None
) -> list[str]:
    """Source paths the folder must account for: each file, and each non-blank line of a JSONL file.

    Sidecars belong to their article; a JSONL file that cannot be read counts as one input.
    ``batch`` narrows the folder to some top-level entries (see ``list_input_files``).
    """
    files, _ = list_input_files(input_dir, ignore_patterns, batch)
    expected = []
    for path in files:
        rel = path.relative_to(input_dir).as_posix()
        if path.name.lower().endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() == JSONL_SUFFIX:
            try:
                expected += [f"{rel}#{number}" for number, _ in jsonl_lines(path)]
            except OSError:
                expected.append(rel)
        else:
            expected.append(rel)
    return expected


def unaccounted_inputs(
    input_dir: Path,
    ignore_patterns: tuple[str, ...],
    accounted: set[str],
    batch: Callable[[Path], bool] | None = None,
) -> list[str]:
    """Expected source paths missing from ``accounted`` (a JSONL file quarantined whole covers its lines)."""
    whole_files = {path for path in accounted if "#" not in path}
    return [
        path
        for path in expected_inputs(input_dir, ignore_patterns, batch)
        if path not in accounted and path.split("#", 1)[0] not in whole_files
    ]
