"""Incremental runs: a stored table is reused only by runs with the same code, settings and input."""

import polars as pl

from pipeline.lib.settings import Settings
from pipeline.lib.state import pipeline_fingerprint, provenance, reusable_table
from pipeline.lib.storage import WorkStore


def _settings(tmp_path, **overrides):
    return Settings(input_dir=tmp_path / "in", output_dir=tmp_path / "out", **overrides)


def test_fingerprint_follows_result_settings_only(tmp_path):
    base = pipeline_fingerprint(_settings(tmp_path))
    assert pipeline_fingerprint(_settings(tmp_path, nlp_batch_size=7)) == base
    assert pipeline_fingerprint(_settings(tmp_path, near_duplicate_threshold=0.9)) != base
    assert pipeline_fingerprint(_settings(tmp_path, languages=["de", "en"])) != base


def test_stored_table_reused_only_when_provenance_matches(tmp_path):
    settings = _settings(tmp_path)
    store = WorkStore(str(tmp_path / "work"))
    frame = pl.DataFrame({"doc_id": ["a", "b"], "minhash": [b"\x00\x01", None]})
    store.write_table(frame, "tables/t/batch-1.parquet", provenance(settings))
    assert reusable_table(store, "tables/t/batch-1.parquet", settings).equals(frame)
    assert reusable_table(store, "tables/t/batch-1.parquet", _settings(tmp_path, full_refresh=True)) is None
    assert reusable_table(store, "tables/t/batch-1.parquet", _settings(tmp_path, min_article_chars=5)) is None
    moved = Settings(input_dir=tmp_path / "elsewhere", output_dir=tmp_path / "out")
    assert reusable_table(store, "tables/t/batch-1.parquet", moved) is None
    assert reusable_table(store, "tables/t/missing.parquet", settings) is None
