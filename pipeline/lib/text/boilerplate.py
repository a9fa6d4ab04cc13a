"""Drop page furniture from scraped plain text, line by line, and say why.

Each line is judged on its own features (cue phrases from ``data/text/boilerplate.yaml``, markup
residue, length and punctuation) and against the lines before it (a repeated paragraph is kept
once). The result keeps an audit of every dropped line with its reason, so a user can check that
no article sentence was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.lib.settings import PACKAGE_DATA

CUES_FILE = PACKAGE_DATA / "text" / "boilerplate.yaml"
_SENTENCE_END = re.compile(r"[.!?…:;\"»“”)]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·]|#{1,6})\s+")
_MIN_REPEAT_CHARS = 25


@dataclass
class CleanedLines:
    """Kept lines (markup residue removed) and the dropped ones with reasons."""

    kept: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (reason, original line)


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_FILE) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compile the cue file into (reason, pattern) pairs, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of reason -> patterns")
    compiled = []
    for reason, patterns in data.items():
        for pattern in patterns:
            try:
                compiled.append((reason, re.compile(pattern, re.IGNORECASE)))
            except re.error as err:
                raise ValueError(f"{path}: bad pattern for {reason!r}: {pattern!r}: {err}") from err
    return tuple(compiled)


def strip_markup(line: str) -> str:
    """Remove markdown link syntax and list markers, keeping the visible words."""
    line = _MARKDOWN_LINK.sub(lambda m: m.group(1), line)
    return _LIST_MARK.sub("", line).strip()


def _repeat_key(line: str) -> str:
    return " ".join(_WORD.findall(line.lower()))


def line_reason(line: str, cues: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    """The reason this single line is boilerplate, or None when it may be article text."""
    for reason, pattern in cues:
        if pattern.search(line):
            return reason
    visible = strip_markup(line)
    words = _WORD.findall(visible)
    if not words:
        return "no_words"
    if len(words) <= 3 and not _SENTENCE_END.search(visible):
        return "fragment"
    return None


def remove_boilerplate(
    text: str, cues: tuple[tuple[str, re.Pattern[str]], ...] | None = None
) -> CleanedLines:
    """Split ``text`` into lines and keep those that read as article text."""
    cues = cues if cues is not None else load_cues()
    result = CleanedLines()
    seen: set[str] = set()
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        reason = line_reason(line, cues)
        key = _repeat_key(line)
        if reason is None and len(key) >= _MIN_REPEAT_CHARS and key in seen:
            reason = "repeated_line"
        if reason is not None:
            result.removed.append((reason, line))
            continue
        seen.add(key)
        result.kept.append(strip_markup(line))
    return result
