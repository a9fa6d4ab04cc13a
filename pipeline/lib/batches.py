"""Batch states and the one rule that says which batches need a run.

Every batch the archive holds has a state record (``state/batches/<key>.json`` in the work
store): whether its last run finished, the stage fingerprints its stored tables were built with,
and the files (size and modification time) it had in the input folder when they were last
accepted. From the state records, the input folder and the current stage fingerprints,
:func:`batches_needing_work` decides, for the ``alliance-events run`` command, the daily schedule
and the landing-folder sensor alike: a batch needs a run when it is

- new: in the folder, never archived;
- changed: a file of it in the folder is new, resized or touched since it was last accepted
  (a file that left the folder is no change: the archive keeps it);
- unfinished or failed: its last run did not complete;
- pending: its archived inputs changed without a run (some were forgotten on purpose);
- stale: a stage fingerprint differs from the one its tables were built with (an upgrade, a
  changed lexicon, other settings);

and not otherwise. A full refresh asks for every batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pipeline.lib.ingest.inputs import list_input_files
from pipeline.lib.partitions import partition_of
from pipeline.lib.storage import WorkStore

STATES = "state/batches"
RUNNING, COMPLETE, PENDING = "running", "complete", "pending"
_LISTED = 3  # changed files named in a reason


def state_path(key: str) -> str:
    """Where the state record of batch ``key`` is kept."""
    return f"{STATES}/{key}.json"


def file_signature(path: Path) -> str:
    """What tells a changed file without reading it: its size and modification time."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def folder_snapshot(input_dir: Path, ignore_patterns: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Batch key -> {file relative to ``input_dir``: its signature} for the inputs in the folder."""
    files, _ = list_input_files(input_dir, ignore_patterns)
    snapshot: dict[str, dict[str, str]] = {}
    for path in files:
        relative = path.relative_to(input_dir).as_posix()
        try:
            signature = file_signature(path)
        except OSError:
            signature = "unreadable"
        snapshot.setdefault(partition_of(relative), {})[relative] = signature
    return dict(sorted(snapshot.items()))


def read_states(store: WorkStore) -> dict[str, dict]:
    """Batch key -> state record, for every batch the work store knows."""
    states = {}
    for relative in store.list(STATES, ".json"):
        record = store.read_json(relative)
        if record and record.get("batch"):
            states[record["batch"]] = record
    return states


def write_state(store: WorkStore, key: str, **changes) -> dict:
    """Update the state record of batch ``key`` with ``changes``; returns the record."""
    record = store.read_json(state_path(key)) or {"batch": key, "stages": {}, "files": {}}
    record.update(changes, updated_at=datetime.now(UTC).isoformat(timespec="seconds"))
    store.write_json(state_path(key), record)
    return record


def remove_state(store: WorkStore, key: str) -> None:
    """Forget batch ``key``'s state (the batch left the archive)."""
    store.remove(state_path(key))


def _changed_files(present: Mapping[str, str], accepted: Mapping[str, str]) -> list[str]:
    return sorted(name for name, signature in present.items() if accepted.get(name) != signature)


def _stale_stage(built: Mapping[str, str], current: Mapping[str, str]) -> str | None:
    return next((stage for stage, fingerprint in current.items() if built.get(stage) != fingerprint), None)


def work_reason(
    key: str,
    present: Mapping[str, str] | None,
    state: Mapping | None,
    fingerprints: Mapping[str, str],
) -> str | None:
    """Why batch ``key`` needs a run, or None (see the module docstring).

    ``present``: its files in the folder (None when the folder does not hold it); ``state``: its
    state record (None when the work store has none).
    """
    if state is None:
        return "new" if present else None
    status = state.get("status")
    if status == RUNNING:
        return f"unfinished: run {state.get('run_id') or '?'} did not complete"
    if status != COMPLETE:
        return f"pending: {state.get('note') or 'its archived inputs changed'}"
    changed = _changed_files(present or {}, state.get("files") or {})
    if changed:
        named = ", ".join(changed[:_LISTED]) + (
            f" and {len(changed) - _LISTED} more" if len(changed) > _LISTED else ""
        )
        return f"changed: {named}"
    stale = _stale_stage(state.get("stages") or {}, fingerprints)
    if stale:
        return f"stale: the {stale} stage changed (code, data files, packages or settings)"
    return None


def batches_needing_work(
    snapshot: Mapping[str, Mapping[str, str]],
    states: Mapping[str, Mapping],
    fingerprints: Mapping[str, str],
    full_refresh: bool = False,
) -> dict[str, str]:
    """Batch key -> why it needs a run, over the folder's batches and the archived ones."""
    needed = {}
    for key in sorted(set(snapshot) | set(states)):
        if full_refresh:
            needed[key] = "full refresh"
        elif (reason := work_reason(key, snapshot.get(key), states.get(key), fingerprints)) is not None:
            needed[key] = reason
    return needed


def work_token(
    key: str,
    reason: str,
    present: Mapping[str, str] | None,
    fingerprints: Mapping[str, str],
    last_run: str | None,
) -> str:
    """A hash that changes whenever the same batch needs a run for a new cause (a run key part):
    new files, new fingerprints, or another finished run since (a failed run asks again)."""
    facts = {
        "key": key,
        "reason": reason,
        "files": dict(present or {}),
        "stages": dict(fingerprints),
        "after": last_run,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def unready_batches(states: Mapping[str, Mapping], fingerprints: Mapping[str, str]) -> dict[str, str]:
    """Archived batches a release may not combine yet, and why: not complete, or built by other
    stage fingerprints (a release mixes no two versions of the pipeline)."""
    unready = {}
    for key, state in sorted(states.items()):
        if state.get("status") != COMPLETE:
            unready[key] = work_reason(key, None, state, fingerprints) or "not complete"
        elif (stale := _stale_stage(state.get("stages") or {}, fingerprints)) is not None:
            unready[key] = f"built before the {stale} stage changed"
    return unready
