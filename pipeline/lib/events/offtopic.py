"""Non-political documents (sports, weather, culture) yield no events.

Country names are everywhere in sports and weather news, and their verbs ("schlägt", "trifft
auf", "beat") look like conflict and diplomacy. A document is judged by how many distinct words
of ``data/lexicons/offtopic.yaml`` its sentences contain; sentence-level cues cannot see that a
match preview sentence ("Am Dienstag trifft Deutschland auf die Niederlande") is about football.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.lib.settings import PACKAGE_DATA

OFFTOPIC_FILE = PACKAGE_DATA / "lexicons" / "offtopic.yaml"


@lru_cache(maxsize=2)
def load_offtopic(path: Path = OFFTOPIC_FILE) -> tuple[int, dict[str, frozenset[str]]]:
    """(minimum distinct words, {language: words}) from the off-topic vocabulary file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {language: frozenset(w.lower() for w in items) for language, items in data["words"].items()}
    return int(data["min_distinct"]), words


class OfftopicCounter:
    """Collects the distinct off-topic words seen per document."""

    def __init__(self) -> None:
        self.minimum, self.words = load_offtopic()
        self.seen: dict[str, set[str]] = defaultdict(set)

    def add(self, doc_id: str, language: str, norms: Iterable[str]) -> None:
        """Record the off-topic words among one sentence's token norms."""
        vocabulary = self.words.get(language, frozenset())
        self.seen[doc_id].update(norm for norm in norms if norm in vocabulary)

    def non_political(self) -> set[str]:
        """Documents with at least the minimum number of distinct off-topic words."""
        return {doc_id for doc_id, words in self.seen.items() if len(words) >= self.minimum}
