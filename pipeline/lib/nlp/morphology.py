"""The process-wide pymorphy3 analyser of Russian word forms (its dictionaries ship in a wheel)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def morph_analyzer():
    """The process-wide pymorphy3 analyser (None if pymorphy3 is missing)."""
    try:
        import pymorphy3
    except ImportError:  # pragma: no cover - pymorphy3 ships with the pipeline
        return None
    return pymorphy3.MorphAnalyzer()
