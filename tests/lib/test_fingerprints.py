"""Stage fingerprints: what rebuilds which stage, measured on a copy of the package."""

import shutil
from pathlib import Path

import pytest

from pipeline.lib.fingerprints import PACKAGE_ROOT, STAGES, data_files, stage_facts, stage_fingerprints
from pipeline.lib.settings import Settings


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("package") / "pipeline"
    shutil.copytree(PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


def _changed(package: Path, edit, settings: Settings | None = None) -> set[str]:
    """Stages whose fingerprint differs after ``edit(package)``; the edit is undone afterwards."""
    settings = settings or Settings()
    before = stage_fingerprints(settings, package)
    saved = {path: path.read_bytes() for path in package.rglob("*") if path.is_file()}
    try:
        edit(package)
        after = stage_fingerprints(settings, package)
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
    return {stage for stage in before if before[stage] != after[stage]}


def _append(relative: str, text: str):
    def edit(package: Path) -> None:
        path = package / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def test_documentation_edits_rebuild_nothing(package):
    assert _changed(package, _append("data/lexicons/README.md", "\nOne more line.\n")) == set()
    assert _changed(package, _append("data/actors/README.md", "x")) == set()
    docstring = lambda p: (p / "lib/text/clean.py").write_text(  # noqa: E731
        (p / "lib/text/clean.py").read_text(encoding="utf-8").replace('"""', '"""Edited. ', 1),
        encoding="utf-8",
    )
    assert _changed(package, docstring) == set()
    assert _changed(package, _append("lib/events/coder.py", "\n# a comment\n")) == set()


def test_a_lexicon_edit_recodes_events_without_nlp(package):
    assert _changed(package, _append("data/lexicons/events.de.yaml", "\n# a new comment line\n")) == {
        "events"
    }
    assert _changed(package, _append("data/lexicons/cues.ru.yaml", "\n#\n")) == {"events"}


def test_actor_and_office_edits_rerun_nlp_and_coding_not_cleaning(package):
    assert _changed(package, _append("data/actors/persons.yaml", "\n#\n")) == {"entities", "events"}
    assert _changed(package, _append("data/lexicons/offices.yaml", "\n#\n")) == {"entities", "events"}


def test_code_edits_rebuild_their_stage_and_the_ones_after_it(package):
    assert _changed(package, _append("lib/text/clean.py", "\nEDITED = 1\n")) == {
        "clean",
        "entities",
        "events",
    }
    assert _changed(package, _append("lib/ingest/decode.py", "\nEDITED = 1\n")) == set(s.name for s in STAGES)
    assert _changed(package, _append("lib/nlp/persons.py", "\nEDITED = 1\n")) == {"entities", "events"}
    assert _changed(package, _append("lib/events/stories.py", "\nEDITED = 1\n")) == {"events"}
    # plumbing moves tables without shaping them
    assert _changed(package, _append("lib/storage.py", "\nEDITED = 1\n")) == set()
    assert _changed(package, _append("defs/resources.py", "\nEDITED = 1\n")) == set()


def test_settings_count_where_they_shape_results(package):
    base = stage_fingerprints(Settings(), package)

    def changed(**overrides) -> set[str]:
        after = stage_fingerprints(Settings(**overrides), package)
        return {stage for stage in base if base[stage] != after[stage]}

    assert changed(nlp_batch_size=7, partition_workers=5, release_keep=2) == set()
    assert changed(min_article_chars=5) == {"clean", "entities", "events"}
    assert changed(spacy_models={"de": "de_core_news_md"}) == {"entities", "events"}
    assert changed(max_file_mb=1.0) == set()  # applied when inputs are archived, not when decoded


def test_every_data_file_shapes_some_stage():
    claimed = {path for stage in STAGES for path in data_files(stage)}
    data = {path for path in (PACKAGE_ROOT / "data").rglob("*") if path.suffix in (".yaml", ".json")}
    assert data and data <= claimed, sorted(str(p) for p in data - claimed)


def test_facts_name_code_data_and_packages():
    facts = {stage.name: stage_facts(stage, Settings()) for stage in STAGES}
    assert "pipeline.lib.text.boilerplate" in facts["clean"]["code"]
    assert "pipeline.lib.events.coder" not in facts["entities"]["code"]
    assert "lexicons/events.de.yaml" in facts["events"]["data"]
    assert "lexicons/events.de.yaml" not in facts["entities"]["data"]
    assert {"spacy", "spacy-lookups-data", "natasha"} <= set(facts["entities"]["distributions"])
    assert "dagster" not in facts["entities"]["distributions"]
