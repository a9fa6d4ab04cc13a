"""Incremental runs: a stored table is reused only by runs with the same code, settings and input."""

import polars as pl

from pipeline.lib.settings import Settings
from pipeline.lib.state import pipeline_fingerprint, provenance, reusable_table, write_table


def _settings(tmp_path, **overrides):
    return Settings(input_dir=tmp_path / "in", output_dir=tmp_path / "out", **overrides)


def test_fingerprint_follows_result_settings_only(tmp_path):
    base = pipeline_fingerprint(_settings(tmp_path))
    assert pipeline_fingerprint(_settings(tmp_path, nlp_batch_size=7)) == base
    assert pipeline_fingerprint(_settings(tmp_path, near_duplicate_threshold=0.9)) != base
    assert pipeline_fingerprint(_settings(tmp_path, languages=["de", "en"])) != base


def test_stored_table_reused_only_when_provenance_matches(tmp_path):
    settings = _settings(tmp_path)
    path = tmp_path / "t.parquet"
    frame = pl.DataFrame({"doc_id": ["a", "b"], "minhash": [b"\x00\x01", None]})
    write_table(frame, path, provenance(settings))
    assert reusable_table(path, settings).equals(frame)
    assert reusable_table(path, _settings(tmp_path, full_refresh=True)) is None
    assert reusable_table(path, _settings(tmp_path, min_article_chars=5)) is None
    moved = Settings(input_dir=tmp_path / "elsewhere", output_dir=tmp_path / "out")
    assert reusable_table(path, moved) is None
    assert reusable_table(tmp_path / "missing.parquet", settings) is None
