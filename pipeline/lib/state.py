"""Incremental runs: the stored intermediate tables and when they may be reused.

Each stage stores its table as Parquet with its provenance in the file's metadata: the pipeline
fingerprint (a hash of the code, the data files and the settings that shape the results) and the
input folder. A later run reuses a stored table only when both match and no full refresh was
asked for, so an upgrade of a lexicon or a change of settings rebuilds everything, while a run
over the same folder with one new file processes only that file.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipeline.lib.settings import Settings
from pipeline.lib.storage import WorkStore

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
# Settings that change what the stages produce (folders and performance knobs do not).
RESULT_SETTINGS = (
    "languages",
    "spacy_models",
    "ignore_patterns",
    "max_file_mb",
    "min_article_chars",
    "outlet_repeat_min_docs",
    "near_duplicate_threshold",
)
_FINGERPRINT_KEY = b"alliance.fingerprint"
_INPUT_KEY = b"alliance.input_dir"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package's Python sources and data files."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pipeline_fingerprint(settings: Settings) -> str:
    """The fingerprint of this code and these result-shaping settings."""
    chosen = {name: getattr(settings, name) for name in RESULT_SETTINGS}
    text = code_fingerprint() + json.dumps(chosen, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def provenance(settings: Settings) -> dict[bytes, bytes]:
    """The metadata stored with every intermediate table of a run with ``settings``."""
    return {
        _FINGERPRINT_KEY: pipeline_fingerprint(settings).encode(),
        _INPUT_KEY: str(settings.input_dir.resolve()).encode(),
    }


def reusable_table(store: WorkStore, relative: str, settings: Settings) -> pl.DataFrame | None:
    """The table stored at ``relative`` when a run with ``settings`` may build on it, else None."""
    if settings.full_refresh:
        return None
    stored = store.table_metadata(relative)
    if stored is None:
        return None
    expected = provenance(settings)
    if any(stored.get(key) != value for key, value in expected.items()):
        return None
    return store.read_table(relative)
