"""Incremental runs, a hostile input folder and the landing-folder sensor, end to end."""

import json
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipeline.defs.automation.jobs import landing_folder_sensor, release_sensor
from pipeline.lib.settings import PROJECT_ROOT
from tests.e2e.runs import PipelineRun, release_table, run

SAMPLE = PROJECT_ROOT / "data" / "sample"
FIRST_FILES = ("de_belarus_atomwaffen.txt", "de_belarus_atomwaffen.meta.json", "ru_kndr_kursk.txt")

pytestmark = pytest.mark.e2e


def _run(
    input_dir: Path, output_dir: Path, monkeypatch, full_refresh: bool = False, instance=None
) -> PipelineRun:
    result = run(input_dir, output_dir, monkeypatch, full_refresh, instance)
    assert result.success
    return result


def _metadata(result: PipelineRun, asset: str) -> dict:
    return result.metadata(asset)


_table = release_table


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Runs over one folder: initial, one new file and one changed file in the same batch (a day's
    folder), a new batch, then a full refresh."""
    inbox, output = tmp_path_factory.mktemp("inbox"), tmp_path_factory.mktemp("out")
    day = inbox / "2026-11-01"
    day.mkdir()
    for name in FIRST_FILES:
        shutil.copy(SAMPLE / name, day / name)
    tables = {}
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        results = {"initial": _run(inbox, output, monkeypatch, instance=instance)}
        tables["initial"] = _table(output, "documents")
        shutil.copy(SAMPLE / "de_leopard_panzer.md", day / "de_leopard_panzer.md")
        results["new_file"] = _run(inbox, output, monkeypatch)
        tables["new_file"] = _table(output, "documents")
        with (day / "ru_kndr_kursk.txt").open("a", encoding="utf-8") as handle:
            handle.write("\nВ Кремле заявили, что сотрудничество с КНДР будет продолжено.\n")
        results["changed_file"] = _run(inbox, output, monkeypatch)
        tables["changed_file"] = {name: _table(output, name) for name in ("documents", "events", "mentions")}
        (inbox / "2026-11-02").mkdir()
        shutil.copy(SAMPLE / "en_nato_sweden.html", inbox / "2026-11-02" / "en_nato_sweden.html")
        results["new_batch"] = _run(inbox, output, monkeypatch)
        tables["new_batch"] = {name: _table(output, name) for name in ("documents", "events", "mentions")}
        results["full_refresh"] = _run(inbox, output, monkeypatch, full_refresh=True, instance=instance)
        results["instance"] = instance
        tables["full_refresh"] = {name: _table(output, name) for name in ("documents", "events", "mentions")}
    return results, tables


def test_new_file_is_the_only_one_processed(runs):
    results, tables = runs
    assert _metadata(results["initial"], "raw_documents")["documents_read_this_run"] == 2
    result = results["new_file"]
    assert _metadata(result, "raw_documents")["documents_read_this_run"] == 1
    assert _metadata(result, "raw_documents")["unchanged_files"] == 2
    assert _metadata(result, "_clean_documents")["cleaned_this_run"] == 1
    assert _metadata(result, "_nlp_shards")["documents_analysed_this_run"] == 1
    assert _metadata(result, "_coded_documents")["coded_this_run"] == 1
    before, after = tables["initial"], tables["new_file"]
    assert after.height == before.height + 1
    kept = after.join(before, on="doc_id", how="semi")
    assert kept.drop("ingested_at").equals(before.sort("doc_id").drop("ingested_at"))
    assert kept["ingested_at"].equals(
        before.sort("doc_id")["ingested_at"]
    )  # earlier results kept as they were


def test_changed_file_supersedes_its_previous_version(runs):
    results, tables = runs
    assert _metadata(results["changed_file"], "raw_documents")["changed_files"] == 1
    before, after = tables["new_file"], tables["changed_file"]["documents"]
    old = before.filter(pl.col("source_path") == "2026-11-01/ru_kndr_kursk.txt")["doc_id"].item()
    new = after.filter(pl.col("source_path") == "2026-11-01/ru_kndr_kursk.txt")
    assert new.height == 1 and new["doc_id"].item() != old and "КНДР будет продолжено" in new["text"].item()
    assert after.height == before.height
    for name in ("events", "mentions"):
        assert old not in tables["changed_file"][name]["doc_id"].to_list()


def test_new_batch_runs_alone_and_joins_the_release(runs):
    results, tables = runs
    assert results["new_batch"].outcome.ran == ["2026-11-02"]
    assert results["new_batch"].outcome.batches == ["2026-11-01", "2026-11-02"]
    before, after = tables["changed_file"]["documents"], tables["new_batch"]["documents"]
    assert after.height == before.height + 1
    assert after.filter(pl.col("source_path") == "2026-11-02/en_nato_sweden.html").height == 1


def test_incremental_result_equals_full_refresh(runs):
    results, tables = runs
    assert results["full_refresh"].outcome.ran == ["2026-11-01", "2026-11-02"]
    # nothing new is read from the folder, but every stage is rebuilt from the archive
    assert _metadata(results["full_refresh"], "raw_documents")["documents_read_this_run"] == 0
    assert _metadata(results["full_refresh"], "_clean_documents")["cleaned_this_run"] == 4
    assert _metadata(results["full_refresh"], "_coded_documents")["coded_this_run"] == 4
    for name, key in (("documents", "doc_id"), ("events", "event_id"), ("mentions", "mention_id")):
        incremental = tables["new_batch"][name].sort(key).drop("ingested_at", strict=False)
        full = tables["full_refresh"][name].sort(key).drop("ingested_at", strict=False)
        assert incremental.equals(full), name


def test_hostile_folder_runs_through(tmp_path, monkeypatch):
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SAMPLE / "de_minsk_sicherheitsvertrag.txt", inbox / "latin.txt")  # Windows-1252
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "huge.txt").write_bytes(b"Russland und Belarus. " * (2 * 1024 * 1024 // 22))
    (inbox / "feed.jsonl").write_text(json.dumps({"html": "<p>nur Navigation</p>"}) + '\n{"text": broken\n')
    (inbox / "page.html").write_text(
        "<html><head><script>alert(1)</script></head><body><script>var x=1;</script>"
        "<nav><a href='/'>Home</a></nav><p>Menü</p></body></html>",
        encoding="utf-8",
    )
    monkeypatch.setenv("ALLIANCE_MAX_FILE_MB", "1")
    _run(inbox, tmp_path / "out", monkeypatch)
    documents, quarantine = _table(tmp_path / "out", "documents"), _table(tmp_path / "out", "quarantine")
    reasons = dict(quarantine.select("source_path", "reason").iter_rows())
    assert reasons == {
        "binary.txt": "binary",
        "empty.txt": "empty",
        "huge.txt": "too_large",
        "feed.jsonl#1": "no_article_text",
        "feed.jsonl#2": "malformed_json",
        "page.html": "no_article_text",
    }
    assert documents["source_path"].to_list() == ["latin.txt"]
    assert all(detail for detail in quarantine["detail"])


def test_landing_sensor_requests_the_batches_that_need_work(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("ALLIANCE_LANDING_DIR", str(landing))
    monkeypatch.setenv("ALLIANCE_OUTPUT_DIR", str(tmp_path / "out"))
    instance = dg.DagsterInstance.ephemeral()
    (landing / "day-1").mkdir(parents=True)
    shutil.copy(SAMPLE / "ru_kndr_kursk.txt", landing / "day-1" / "a.txt")
    first = landing_folder_sensor(dg.build_sensor_context(instance=instance))
    assert [request.partition_key for request in first.run_requests] == ["day-1"]
    assert first.dynamic_partitions_requests[0].partition_keys == ["day-1"]
    request = first.run_requests[0]
    assert request.run_config["resources"]["pipeline"]["config"]["input_dir"] == str(landing)
    assert request.tags["alliance/reason"] == "new"
    # nothing ran meanwhile: the same request, under the same run key (Dagster launches it once)
    assert (
        landing_folder_sensor(dg.build_sensor_context(instance=instance)).run_requests[0].run_key
        == request.run_key
    )
    shutil.copy(SAMPLE / "de_leopard_panzer.md", landing / "day-1" / "b.md")
    shutil.copy(SAMPLE / "de_minsk_sicherheitsvertrag.txt", landing / "loose.txt")
    second = landing_folder_sensor(dg.build_sensor_context(instance=instance))
    assert sorted(request.partition_key for request in second.run_requests) == ["day-1", "loose"]
    again = next(request for request in second.run_requests if request.partition_key == "day-1")
    assert again.run_key != request.run_key  # same batch, other files: a new run key, so it runs again


def test_release_sensor_publishes_after_new_batch_runs(runs):
    results, _ = runs
    instance = results["instance"]
    first = release_sensor(dg.build_sensor_context(cursor=None, instance=instance))
    assert len(first.run_requests) == 1
    latest = instance.get_runs(filters=dg.RunsFilter(job_name="alliance_partition"), limit=1)[0]
    assert first.cursor == latest.run_id
    assert isinstance(
        release_sensor(dg.build_sensor_context(cursor=first.cursor, instance=instance)), dg.SkipReason
    )
    empty = dg.DagsterInstance.ephemeral()
    assert isinstance(release_sensor(dg.build_sensor_context(instance=empty)), dg.SkipReason)


def test_failed_batch_blocks_the_release_and_reruns_alone(tmp_path, monkeypatch):
    """A batch whose run fails is no part of any release until it has run again, and the next run
    redoes only that batch."""
    from pipeline.defs.entities import assets as entity_assets

    inbox, output = tmp_path / "in", tmp_path / "out"
    for day, name in (("day-1", "de_belarus_atomwaffen.txt"), ("day-2", "ru_kndr_kursk.txt")):
        (inbox / day).mkdir(parents=True)
        shutil.copy(SAMPLE / name, inbox / day / name)
    original = entity_assets.batch_canonical

    def broken_on_day_2(documents, threshold):
        if documents["source_path"].str.starts_with("day-2/").any():
            raise RuntimeError("worker lost")
        return original(documents, threshold)

    with monkeypatch.context() as patch:
        patch.setattr(entity_assets, "batch_canonical", broken_on_day_2)
        failed = run(inbox, output, monkeypatch)
    assert failed.outcome.failed == ["day-2"] and not failed.outcome.published
    assert not (output / "latest").exists()
    again = _run(inbox, output, monkeypatch)
    assert again.outcome.ran == ["day-2"]
    paths = sorted(_table(output, "documents")["source_path"].to_list())
    assert paths == ["day-1/de_belarus_atomwaffen.txt", "day-2/ru_kndr_kursk.txt"]
