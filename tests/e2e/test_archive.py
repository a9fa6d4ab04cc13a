"""No published row is lost silently: the raw archive, the one rule for "needs work", the guard.

Each scenario runs the pipeline as `alliance-events run` does, over small folders of the sample.
Upgrades are played on a copy of the package: the stage fingerprints are computed from the copy
(and, for a lexicon edit, the events are coded with the copy's lexicon), so editing it is what
editing an installed package is to a deployment.
"""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipeline.defs.automation.jobs import daily_refresh, landing_folder_sensor
from pipeline.lib import fingerprints
from pipeline.lib.events import lexicon
from pipeline.lib.settings import PROJECT_ROOT
from pipeline.lib.sources import Selection, forget_sources
from pipeline.lib.storage import WorkStore
from tests.e2e.runs import PipelineRun, release_table, run

SAMPLE = PROJECT_ROOT / "data" / "sample"
TABLES = {"documents": "doc_id", "quarantine": "source_path", "mentions": "mention_id", "events": "event_id"}

pytestmark = pytest.mark.e2e


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    """A copy of the installed package whose files decide the stage fingerprints of these runs."""
    copy = tmp_path / "package" / "pipeline"
    shutil.copytree(fingerprints.PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.setattr(fingerprints, "PACKAGE_ROOT", copy)
    return copy


def _inbox(tmp_path: Path) -> Path:
    """Batches b1 (two documents, one with a sidecar) and b2 (one HTML page): three documents."""
    inbox = tmp_path / "in"
    (inbox / "b1").mkdir(parents=True)
    (inbox / "b2").mkdir()
    for name in ("de_belarus_atomwaffen.txt", "de_belarus_atomwaffen.meta.json", "ru_kndr_kursk.txt"):
        shutil.copy(SAMPLE / name, inbox / "b1" / name)
    shutil.copy(SAMPLE / "en_nato_sweden.html", inbox / "b2" / "en_nato_sweden.html")
    return inbox


def _ok(result: PipelineRun) -> PipelineRun:
    assert result.success, (result.outcome.failed, result.outcome.failed_checks, result.outcome.errors)
    return result


def _rows(output: Path) -> dict[str, pl.DataFrame]:
    return {
        name: release_table(output, name).sort(key).drop("ingested_at", "seen_at", strict=False)
        for name, key in TABLES.items()
    }


def _same_rows(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    for name in TABLES:
        assert after[name].equals(before[name]), name


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_batch_that_left_the_folder_survives_a_readme_edit(tmp_path, monkeypatch, package):
    """The operator's three steps of issue 14: run b1 and b2; remove b2 and run; edit a README
    under pipeline/ and run. Every row stays, and the edit rebuilds nothing."""
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    first = _ok(run(inbox, output, monkeypatch))
    assert first.outcome.ran == ["b1", "b2"]
    rows = _rows(output)
    assert rows["documents"].height == 3 and rows["events"].height > 0 and rows["mentions"].height > 0
    shutil.rmtree(inbox / "b2")
    second = _ok(run(inbox, output, monkeypatch))
    assert second.outcome.ran == [] and second.outcome.batches == ["b1", "b2"]
    _same_rows(rows, _rows(output))
    _append(package / "data" / "lexicons" / "README.md", "\nA new paragraph for readers.\n")
    _append(package / "lib" / "text" / "clean.py", "\n# a comment explains nothing new\n")
    third = _ok(run(inbox, output, monkeypatch))
    assert third.outcome.ran == []
    _same_rows(rows, _rows(output))
    changes = (output / "latest" / "CHANGES.md").read_text(encoding="utf-8")
    assert "| documents | 3 | 3 | 0 | 0 | 0 |" in changes


def test_emptied_folder_upgrade_and_full_refresh_keep_every_document(tmp_path, monkeypatch, package):
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    rows = _rows(output)
    for batch in ("b1", "b2"):  # the landing folder is emptied after the run
        shutil.rmtree(inbox / batch)
    emptied = _ok(run(inbox, output, monkeypatch))
    assert emptied.outcome.ran == []
    _same_rows(rows, _rows(output))

    # An upgrade that changes a lexicon file: events are coded again from the stored sentences,
    # with the new lexicon, for the batches that left the folder too; NLP does not run again.
    lexicons = package / "data" / "lexicons"
    _append(lexicons / "events.de.yaml", "\n# reviewed\n")
    monkeypatch.setattr(lexicon, "DEFAULT_LEXICON_DIR", lexicons)
    upgraded = _ok(run(inbox, output, monkeypatch))
    assert upgraded.outcome.ran == ["b1", "b2"]
    assert set(upgraded.outcome.reasons.values()) == {
        "stale: the events stage changed (code, data files, packages or settings)"
    }
    assert upgraded.metadata("_nlp_shards")["documents_analysed_this_run"] == 0
    assert upgraded.metadata("_clean_documents")["cleaned_this_run"] == 0
    assert upgraded.metadata("_coded_documents")["coded_this_run"] == 3
    _same_rows(rows, _rows(output))

    refreshed = _ok(run(inbox, output, monkeypatch, full_refresh=True))
    assert refreshed.outcome.ran == ["b1", "b2"]
    assert refreshed.metadata("_clean_documents")["cleaned_this_run"] == 3
    assert refreshed.metadata("_nlp_shards")["documents_analysed_this_run"] == 3
    _same_rows(rows, _rows(output))


def test_a_lexicon_edit_that_drops_triggers_publishes_its_removals_as_re_derived(
    tmp_path, monkeypatch, package
):
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    before = _rows(output)
    lexicons = package / "data" / "lexicons"
    for language in ("de", "en", "ru"):  # the lexicons lose their agreement triggers
        path = lexicons / f"events.{language}.yaml"
        head, *entries = path.read_text(encoding="utf-8").split("\n  - id: ")
        kept = [entry for entry in entries if "\n    type: AGREE\n" not in entry]
        assert len(kept) < len(entries)
        path.write_text("\n  - id: ".join([head, *kept]), encoding="utf-8")
    monkeypatch.setattr(lexicon, "DEFAULT_LEXICON_DIR", lexicons)
    _ok(run(inbox, output, monkeypatch))
    after = _rows(output)
    assert "AGREE" in before["events"]["event_type"].to_list()
    assert "AGREE" not in after["events"]["event_type"].to_list()
    assert after["documents"].equals(before["documents"]) and after["mentions"].equals(before["mentions"])
    changes = (output / "latest" / "CHANGES.md").read_text(encoding="utf-8")
    assert "## Why rows left" in changes and "| events |" in changes and "re-derived" in changes
    assert "unexplained" not in changes


@pytest.fixture
def instance(tmp_path):
    """A Dagster instance with a reference (a schedule's context needs one)."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        yield instance


def test_schedule_requests_only_the_batches_that_need_work(tmp_path, monkeypatch, instance):
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    monkeypatch.setenv("ALLIANCE_INPUT_DIR", str(inbox))
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(output))

    def tick():
        return daily_refresh(dg.build_schedule_context(instance=instance))

    assert sorted(request.partition_key for request in tick()) == ["b1", "b2"]
    _ok(run(inbox, output, monkeypatch, instance=instance))
    for _ in range(2):  # an unchanged archive: no run on the first tick, nor on the next
        assert isinstance(tick(), dg.SkipReason)
    shutil.rmtree(inbox / "b2")  # a batch leaving the folder is no work either
    assert isinstance(tick(), dg.SkipReason)
    shutil.copy(SAMPLE / "de_leopard_panzer.md", inbox / "b1" / "de_leopard_panzer.md")
    requests = tick()
    assert [(r.partition_key, r.tags["alliance/reason"]) for r in requests] == [
        ("b1", "changed: b1/de_leopard_panzer.md")
    ]


def test_a_failed_batch_is_requested_again_until_it_succeeds(tmp_path, monkeypatch):
    from pipeline.defs.entities import assets as entity_assets

    inbox, output = _inbox(tmp_path), tmp_path / "out"
    monkeypatch.setenv("ALLIANCE_LANDING_DIR", str(inbox))
    instance = dg.DagsterInstance.ephemeral()
    original = entity_assets.batch_canonical

    def broken_in_b2(documents, threshold):
        if documents["source_path"].str.starts_with("b2/").any():
            raise RuntimeError("worker lost")
        return original(documents, threshold)

    def sensor_requests():
        result = landing_folder_sensor(dg.build_sensor_context(instance=instance))
        return [] if isinstance(result, dg.SkipReason) else result.run_requests

    with monkeypatch.context() as patch:
        patch.setattr(entity_assets, "batch_canonical", broken_in_b2)
        failed = run(inbox, output, monkeypatch, instance=instance)
        assert failed.outcome.failed == ["b2"] and not failed.outcome.published
        first = sensor_requests()
        assert [r.partition_key for r in first] == ["b2"]
        assert first[0].tags["alliance/reason"].startswith("unfinished: run ")
        again = run(inbox, output, monkeypatch, instance=instance)  # the requested run fails too
        assert again.outcome.ran == ["b2"] and again.outcome.failed == ["b2"]
        second = sensor_requests()
        assert [r.partition_key for r in second] == ["b2"] and second[0].run_key != first[0].run_key
    _ok(run(inbox, output, monkeypatch, instance=instance))
    assert sensor_requests() == []
    assert release_table(output, "documents").height == 3


def test_a_null_in_a_required_column_blocks_the_release(tmp_path, monkeypatch):
    from pipeline.defs.events import assets as event_assets

    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    before = (output / "latest").resolve()
    original = event_assets.events_frame

    def without_status(*args, **kwargs):
        events = original(*args, **kwargs)
        return events.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("status")).alias("status")
        )

    monkeypatch.setattr(event_assets, "events_frame", without_status)
    blocked = run(inbox, output, monkeypatch)
    assert not blocked.success and blocked.outcome.failed_checks == ["events_suite"]
    failed = next(e for e in blocked.check_evaluations() if e.check_name == "events_suite")
    assert "expect_column_values_to_not_be_null {'column': 'status'}" in str(
        failed.metadata["failed_critical"].value
    )
    assert (output / "latest").resolve() == before


def test_a_release_that_would_lose_rows_is_blocked_until_they_are_forgotten(tmp_path, monkeypatch):
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    rows = _rows(output)
    before = (output / "latest").resolve()
    work = output / "_work"  # the work store loses batch b2 (a restore from an old backup, say)
    for path in [work / "archive" / "index" / "b2.parquet", work / "archive" / "payloads" / "b2"]:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (work / "state" / "batches" / "b2.json").unlink()
    for table in (work / "tables").glob("*/b2.parquet"):
        table.unlink()
    shutil.rmtree(inbox / "b2")
    blocked = run(inbox, output, monkeypatch)
    assert not blocked.success and not blocked.outcome.published
    message = " ".join(blocked.outcome.errors)
    assert "release blocked" in message and "b2 (documents 1" in message and "not in the archive" in message
    assert (output / "latest").resolve() == before

    store = WorkStore(str(work))
    forgetting = forget_sources(
        store, Selection(batches=["b2"]), "lost in a restore", datetime.now(UTC), before
    )
    assert forgetting.unarchived == ["b2/en_nato_sweden.html"]
    _ok(run(inbox, output, monkeypatch))
    after = _rows(output)
    assert (
        after["documents"]["source_path"].to_list()
        == rows["documents"].filter(~pl.col("source_path").str.starts_with("b2/"))["source_path"].to_list()
    )
    changes = (output / "latest" / "CHANGES.md").read_text(encoding="utf-8")
    assert "| documents | 1 | forgotten |" in changes and "`b2/en_nato_sweden.html`" in changes


def test_forgetting_an_archived_batch_removes_its_rows_on_purpose(tmp_path, monkeypatch):
    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    shutil.rmtree(inbox / "b2")
    store = WorkStore(str(output / "_work"))
    forgetting = forget_sources(store, Selection(sources=["b1/ru_*"]), "retention", datetime.now(UTC))
    assert forgetting.archived["source_path"].to_list() == ["b1/ru_kndr_kursk.txt"]
    assert forgetting.still_in_folder == ["b1/ru_kndr_kursk.txt"]
    (inbox / "b1" / "ru_kndr_kursk.txt").unlink()
    result = _ok(run(inbox, output, monkeypatch))
    assert result.outcome.reasons == {
        "b1": "pending: 1 inputs forgotten on " + datetime.now(UTC).strftime("%Y-%m-%d")
    }
    assert sorted(release_table(output, "documents")["source_path"].to_list()) == [
        "b1/de_belarus_atomwaffen.txt",
        "b2/en_nato_sweden.html",
    ]
    assert "| documents | 1 | forgotten |" in (output / "latest" / "CHANGES.md").read_text(encoding="utf-8")


def test_out_release_alone_publishes_nothing(tmp_path, monkeypatch):
    """Quality results reach the release only from the checks of its own run."""
    from pipeline.runner import release_job

    inbox, output = _inbox(tmp_path), tmp_path / "out"
    instance = dg.DagsterInstance.ephemeral()
    _ok(run(inbox, output, monkeypatch, instance=instance))
    before = (output / "latest").resolve()
    result = dg.execute_job(
        dg.reconstructable(release_job),
        instance=instance,
        asset_selection=[dg.AssetKey("out_release")],
        raise_on_error=False,
    )
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert "did not run in this run" in failure.step_failure_data.error.message
    assert (output / "latest").resolve() == before


def test_batches_of_a_work_store_before_the_archive_are_adopted(tmp_path, monkeypatch):
    """A deployment upgraded from a version without the raw archive keeps the rows of its batches,
    those whose files left the landing folder included."""
    from pipeline.lib.ingest.archive import RawArchive

    inbox, output = _inbox(tmp_path), tmp_path / "out"
    _ok(run(inbox, output, monkeypatch))
    rows = _rows(output)
    work = output / "_work"  # turn the work store into what the earlier version left behind
    shutil.rmtree(work / "archive")
    shutil.rmtree(work / "state")
    for key in ("b1", "b2"):
        (work / "partitions").mkdir(exist_ok=True)
        record = {
            "partition": key,
            "state": "complete",
            "input_dir": str(inbox.resolve()),
            "fingerprint": "old",
        }
        (work / "partitions" / f"{key}.json").write_text(json.dumps(record), encoding="utf-8")
    (output / "latest" / "provenance.json").unlink()  # nor did its releases record one
    shutil.rmtree(inbox / "b2")
    upgraded = _ok(run(inbox, output, monkeypatch))
    assert upgraded.outcome.reasons == {
        "b1": "pending: adopted from the raw tables of an earlier version",
        "b2": "pending: adopted from the raw tables of an earlier version",
    }
    _same_rows(rows, _rows(output))
    archive = RawArchive(WorkStore(str(work)))
    # b1's files are in the folder: read again from their bytes; b2's kept from the decoded text
    assert not archive.index("b1")["input_sha256"].str.starts_with("legacy:").any()
    assert archive.index("b2")["input_sha256"].str.starts_with("legacy:").all()
    assert not (work / "partitions").exists() or not list((work / "partitions").iterdir())
