"""Parsed data files are cached by content hash: same result, no second parse, edits re-parsed."""

import yaml

from pipeline.lib import yaml_cache


def test_cache_returns_the_parse_and_skips_parsing(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "data.yaml"
    path.write_text("- actor_id: Q1\n  start: 2024-01-02\n", encoding="utf-8")
    first = yaml_cache.load_yaml(path)
    assert first == yaml.safe_load(path.read_text())

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml_cache.yaml, "load", no_parse)
    assert yaml_cache.load_yaml(path) == first
    path.write_text("- actor_id: Q2\n", encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    assert yaml_cache.load_yaml(path) == [{"actor_id": "Q2"}]


def test_unwritable_cache_still_parses(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "data.yaml"
    path.write_text("a: 1\n")
    assert yaml_cache.load_yaml(path) == {"a": 1}


def test_russian_trigger_aliases_are_remembered_per_vocabulary(tmp_path, monkeypatch):
    from pipeline.lib.events import triggers

    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    vocab = frozenset({"порт", "вина"})
    first = triggers.russian_aliases(vocab)
    assert "порты" in first  # an ambiguous form of a lexicon word
    monkeypatch.setattr(triggers, "_russian_aliases", lambda vocab: {"computed": frozenset()})
    assert triggers.russian_aliases(vocab) == first  # read back, not listed again
    assert triggers.russian_aliases(vocab | {"стоить"}) == {"computed": frozenset()}
