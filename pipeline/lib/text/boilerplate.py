"""Drop page furniture from scraped plain text, line by line, and say why.

Each line is judged on its own features (cue phrases from ``data/text/boilerplate.yaml``, markup
residue, length and punctuation, date-and-time stamps, meta lines of short segments), against the
lines before it (a repeated paragraph or passage is kept once) and against the other documents of the same outlet (a line that recurs in
several of them is page furniture, however it is worded). Short lines between two body paragraphs
are kept as subheadings. Every dropped line is reported with its line number and reason, so a user
can check that no article sentence was lost.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
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
_SELF_REPEAT_WORDS = 10  # a line repeating a run of this many words within itself is scraped residue
_PASSAGE_WORDS = 6  # a line all of whose word 6-grams occurred earlier repeats an earlier passage
_FRAGMENT_WORDS = 3
_SUBHEAD_WORDS = 8
_BODY_WORDS = 12
# Words that may stand beside a date in a date/time stamp line ("Stand: 06.12.2024, 14:35 Uhr").
_STAMP_WORDS = re.compile(
    r"\b(?:uhr|um|am|vom|stand|aktualisiert|veröffentlicht|zuletzt|erstellt|updated|published|"
    r"posted|last|modified|geändert|by|on|at|gmt|utc|mez|mesz|msk|cet|cest|обновлено|опубликовано|"
    r"дата|публикации|в|от|г|года|мск|dpa|afp|epd|kna|ap|reuters|"
    r"jan(?:uar)?|feb(?:ruar)?|märz|mär|apr(?:il)?|mai|jun[ie]?|jul[iy]?|aug(?:ust)?|sept?(?:ember)?|"
    r"okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dez(?:ember)?|dec(?:ember)?|march|may|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|января|февраля|марта|апреля|мая|июня|июля|августа|"
    r"сентября|октября|ноября|декабря|понедельник|вторник|среда|четверг|пятница|суббота|"
    r"воскресенье|янв|фев|мар|апр|июн|июл|авг|сен|сент|окт|ноя|нояб|дек|[ap]\.?m\.?|"
    r"et|est|edt|pt|pst|cst)\b",
    re.IGNORECASE,
)
_STAMP_MAX_CHARS = 80
# "Almaty/Moskau, 14. Januar 2022", "WASHINGTON, Sept. 16": a place list, a comma, then a date stamp.
_PLACE_PREFIX = re.compile(r"^[^\W\d][\w.\-]*(?:[ /][^\W\d][\w.\-]*){0,3},\s*")
# Separators of page meta lines: "By X | 4 May 2024 | 4 min read", "Home > World > Asia".
_SEGMENT_SEPARATOR = re.compile(r"\s+[|·•>»]\s+")
_META_SEGMENT_WORDS = 5
_READING_TIME = re.compile(
    r"\b(min\.? read|minutes? read|lesezeit|min\. lesezeit|мин\.? чтения|читать \d+ мин)", re.I
)
_LINK_SHARE = 0.7


@dataclass(frozen=True)
class LineDecision:
    """The cleaner's decision on one non-blank line."""

    number: int  # 1-based line number in the text given to the cleaner, blank lines counted
    text: str  # the stripped line
    reason: str | None  # None: article text, kept
    kept_text: str  # the line with markup residue removed (what the cleaned text holds)


@dataclass
class CleanedLines:
    """Kept lines (markup residue removed) and the dropped ones with reasons."""

    decisions: list[LineDecision] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        """The article lines, in order."""
        return [d.kept_text for d in self.decisions if d.reason is None]

    @property
    def removed(self) -> list[tuple[str, str]]:
        """(reason, line) of every dropped line, in order."""
        return [(d.reason, d.text) for d in self.decisions if d.reason is not None]


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


def line_key(line: str) -> str:
    """A short hash of a line's words (case and punctuation folded), to count it across documents."""
    return hashlib.sha1(_repeat_key(strip_markup(line)).encode()).hexdigest()[:16]


def is_date_stamp(line: str) -> bool:
    """True for a short line that is only a date and/or time with stamp words ("Stand: 6. Mai 2024, 14:35 Uhr")."""
    if len(line) > _STAMP_MAX_CHARS or not any(ch.isdigit() for ch in line):
        return False
    rest = _STAMP_WORDS.sub(" ", _PLACE_PREFIX.sub("", line, count=1))
    words = [word for word in _WORD.findall(rest) if not word.isdigit()]
    return len(words) <= (0 if _PLACE_PREFIX.match(line) else 1)


def is_meta_line(line: str) -> bool:
    """True for a line of short segments joined by separators (bylines with dates, breadcrumbs, mastheads)."""
    segments = [segment for segment in _SEGMENT_SEPARATOR.split(line) if segment.strip()]
    if len(segments) < 2:
        return False
    if any(_SENTENCE_END.search(segment) and segment.rstrip()[-1] in ".!?" for segment in segments[:-1]):
        return False
    return all(
        len(_WORD.findall(segment)) <= _META_SEGMENT_WORDS
        or is_date_stamp(segment)
        or bool(_READING_TIME.search(segment))
        for segment in segments
    )


def repeats_itself(line: str) -> bool:
    """True for a line that holds the same long passage twice: a scraped teaser or caption printed
    as title and description, glued into one line. Edited article text does not repeat a run of
    ``_SELF_REPEAT_WORDS`` words verbatim within one paragraph."""
    words = _repeat_key(line).split()
    seen: set[tuple[str, ...]] = set()
    for index in range(len(words) - _SELF_REPEAT_WORDS + 1):
        gram = tuple(words[index : index + _SELF_REPEAT_WORDS])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def link_share(line: str) -> float:
    """Share of the visible characters of a line that are markdown link texts."""
    visible = strip_markup(line)
    linked = sum(len(match.group(1)) for match in _MARKDOWN_LINK.finditer(line))
    return linked / len(visible) if visible else 0.0


def line_reason(line: str, cues: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    """The reason this single line is boilerplate, or None when it may be article text."""
    for reason, pattern in cues:
        if pattern.search(line):
            return reason
    visible = strip_markup(line)
    words = _WORD.findall(visible)
    if not words:
        return "no_words"
    if repeats_itself(visible):
        return "self_repeating"
    if is_date_stamp(visible):
        return "date_stamp"
    if is_meta_line(visible):
        return "meta_line"
    if link_share(line) >= _LINK_SHARE:
        return "link_residue"
    if len(words) <= _FRAGMENT_WORDS and not _SENTENCE_END.search(visible):
        return "fragment"
    return None


def _is_body(decision: LineDecision | None) -> bool:
    return (
        decision is not None
        and decision.reason is None
        and len(_WORD.findall(decision.kept_text)) >= _BODY_WORDS
        and bool(_SENTENCE_END.search(decision.kept_text))
    )


def _keep_subheadings(decisions: list[LineDecision]) -> list[LineDecision]:
    """Keep short title-like lines that stand between two body paragraphs."""
    result = list(decisions)
    for index, decision in enumerate(decisions):
        if decision.reason != "fragment" or not decision.kept_text[:1].isupper():
            continue
        before = decisions[index - 1] if index > 0 else None
        after = decisions[index + 1] if index + 1 < len(decisions) else None
        if len(_WORD.findall(decision.kept_text)) <= _SUBHEAD_WORDS and _is_body(before) and _is_body(after):
            result[index] = LineDecision(decision.number, decision.text, None, decision.kept_text)
    return result


def remove_boilerplate(
    text: str,
    cues: tuple[tuple[str, re.Pattern[str]], ...] | None = None,
    outlet_lines: Collection[str] = (),
) -> CleanedLines:
    """Split ``text`` into lines and keep those that read as article text.

    ``outlet_lines`` holds the :func:`line_key` of lines that recur across documents of the same
    outlet. They are dropped unless they would be most of this document's text: then the document
    is a version or copy of another one (the dedup stage links those), not page furniture.
    """
    cues = cues if cues is not None else load_cues()
    decisions = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if line:
            decisions.append(LineDecision(number, line, line_reason(line, cues), strip_markup(line)))
    decisions = _keep_subheadings(decisions)
    if outlet_lines:
        candidates = [d for d in decisions if d.reason is None]
        recurring = {d.number for d in candidates if line_key(d.text) in outlet_lines}
        if recurring and len(recurring) * 2 <= len(candidates):
            decisions = [
                LineDecision(d.number, d.text, "outlet_repeated", d.kept_text) if d.number in recurring else d
                for d in decisions
            ]
    seen: set[str] = set()
    seen_grams: set[tuple[str, ...]] = set()
    result = CleanedLines()
    for decision in decisions:
        key = _repeat_key(decision.kept_text)
        grams = _word_grams(key)
        if decision.reason is None and len(key) >= _MIN_REPEAT_CHARS and key in seen:
            decision = LineDecision(decision.number, decision.text, "repeated_line", decision.kept_text)
        elif decision.reason is None and grams and grams <= seen_grams:
            decision = LineDecision(decision.number, decision.text, "repeated_passage", decision.kept_text)
        if decision.reason is None:
            seen.add(key)
            seen_grams |= grams
        result.decisions.append(decision)
    return result


def _word_grams(key: str) -> set[tuple[str, ...]]:
    """Word n-grams of a line key; empty for lines too short to call a repeated passage."""
    words = key.split()
    if len(words) < _PASSAGE_WORDS:
        return set()
    return {tuple(words[i : i + _PASSAGE_WORDS]) for i in range(len(words) - _PASSAGE_WORDS + 1)}
