"""The one rule of which batches need a run (pipeline.lib.batches), and the folder snapshot."""

import os

from pipeline.lib.batches import (
    COMPLETE,
    PENDING,
    RUNNING,
    batches_needing_work,
    folder_snapshot,
    read_states,
    unready_batches,
    work_token,
    write_state,
)
from pipeline.lib.storage import WorkStore
from tests.lib.folders import two_batches

STAGES = {"ingest": "i1", "clean": "c1", "entities": "n1", "events": "e1"}


def _complete(snapshot, key, stages=STAGES):
    return {"batch": key, "status": COMPLETE, "stages": dict(stages), "files": dict(snapshot[key])}


def test_snapshot_groups_files_by_batch_and_leaves_documentation_out(tmp_path):
    snapshot = folder_snapshot(two_batches(tmp_path), ("README*",))
    assert {key: sorted(files) for key, files in snapshot.items()} == {
        "day-1": ["day-1/a.txt", "day-1/b.jsonl"],
        "loose": ["loose.meta.json", "loose.txt"],
    }
    assert folder_snapshot(tmp_path / "missing", ()) == {}


def test_new_batches_need_work_and_complete_ones_do_not(tmp_path):
    snapshot = folder_snapshot(two_batches(tmp_path), ("README*",))
    assert batches_needing_work(snapshot, {}, STAGES) == {"day-1": "new", "loose": "new"}
    states = {key: _complete(snapshot, key) for key in snapshot}
    assert batches_needing_work(snapshot, states, STAGES) == {}


def test_a_touched_file_is_a_change_and_a_file_that_left_is_not(tmp_path):
    folder = two_batches(tmp_path)
    snapshot = folder_snapshot(folder, ("README*",))
    states = {key: _complete(snapshot, key) for key in snapshot}
    stat = (folder / "day-1" / "a.txt").stat()
    os.utime(folder / "day-1" / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert batches_needing_work(folder_snapshot(folder, ("README*",)), states, STAGES) == {
        "day-1": "changed: day-1/a.txt"
    }
    (folder / "day-1" / "a.txt").unlink()
    (folder / "loose.txt").unlink()
    (folder / "loose.meta.json").unlink()
    # the archive keeps what left the folder: neither the thinner batch nor the absent one needs a run
    assert batches_needing_work(folder_snapshot(folder, ("README*",)), states, STAGES) == {}


def test_unfinished_failed_pending_and_stale_batches_need_work(tmp_path):
    snapshot = folder_snapshot(two_batches(tmp_path), ("README*",))
    states = {
        "day-1": {**_complete(snapshot, "day-1"), "status": RUNNING, "run_id": "r-7"},
        "loose": {**_complete(snapshot, "loose"), "status": PENDING, "note": "2 inputs forgotten"},
        "archived": {"batch": "archived", "status": COMPLETE, "stages": {**STAGES, "events": "e0"}},
        "current": {"batch": "current", "status": COMPLETE, "stages": dict(STAGES)},
    }
    needed = batches_needing_work(snapshot, states, STAGES)
    assert needed == {
        "archived": "stale: the events stage changed (code, data files, packages or settings)",
        "day-1": "unfinished: run r-7 did not complete",
        "loose": "pending: 2 inputs forgotten",
    }
    assert set(batches_needing_work(snapshot, states, STAGES, full_refresh=True)) == {
        "archived",
        "current",
        "day-1",
        "loose",
    }
    assert unready_batches(states, STAGES) == {
        "archived": "built before the events stage changed",
        "day-1": "unfinished: run r-7 did not complete",
        "loose": "pending: 2 inputs forgotten",
    }


def test_states_round_trip_and_tokens_change_with_each_finished_run(tmp_path):
    store = WorkStore(str(tmp_path / "work"))
    write_state(store, "day-1", status=RUNNING, run_id="r-1")
    write_state(store, "day-1", status=COMPLETE, stages=STAGES)
    state = read_states(store)["day-1"]
    assert state["status"] == COMPLETE and state["run_id"] == "r-1" and state["stages"] == STAGES
    files = {"day-1/a.txt": "4:1"}
    first = work_token("day-1", "unfinished", files, STAGES, "r-1")
    assert work_token("day-1", "unfinished", files, STAGES, "r-1") == first
    assert work_token("day-1", "unfinished", files, STAGES, "r-2") != first  # a failed run asks again
    assert work_token("day-1", "unfinished", {"day-1/a.txt": "5:2"}, STAGES, "r-1") != first
