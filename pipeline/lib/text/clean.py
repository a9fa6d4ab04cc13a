"""Clean one raw document: main text, boilerplate removal, title, date, language, sentences.

The cleaned text is the coordinate system of the dataset: sentence, mention and event offsets all
point into it, so it is built once here and never changed later.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import trafilatura

from pipeline.lib.text.boilerplate import remove_boilerplate
from pipeline.lib.text.dates import find_dates
from pipeline.lib.text.language import detect_language, document_language
from pipeline.lib.text.sentences import split_sentences

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_HEADLINE_MAX = 200
_DATE_LINE_MAX = 60
_DATE_SEARCH_LINES = 8


@dataclass
class Sentence:
    """A sentence as a span of the cleaned text."""

    start: int
    end: int
    language: str


@dataclass
class CleanDocument:
    """The cleaned form of one input document."""

    text: str
    title: str | None
    published_date: date | None
    outlet: str | None
    language: str
    sentences: list[Sentence] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """NFC, one kind of newline and space, no invisible characters."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text with case and whitespace folded: equal for exact copies."""
    folded = " ".join(text.lower().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def parse_iso_date(value: str | None) -> date | None:
    """The date of an ISO 8601 date or datetime string; None when it is not one."""
    if not value:
        return None
    match = re.match(r"\s*((?:19|20)\d{2})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def extract_html(html: str) -> tuple[str, str | None, date | None, str | None]:
    """Main text, title, date and site name of an HTML page (trafilatura, offline)."""
    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if result is None:
        return "", None, None, None
    text = result.text or ""
    if result.title and not text.startswith(result.title):
        text = result.title + "\n" + text
    return text, result.title, parse_iso_date(result.date), result.sitename


def _date_from_lines(lines: list[str]) -> date | None:
    """A publication date shown as a short date line near the top of the article."""
    for line in lines[:_DATE_SEARCH_LINES]:
        if len(line) > _DATE_LINE_MAX:
            continue
        for mention in find_dates(line):
            if mention.precision == "day" and mention.value is not None:
                return mention.value
    return None


def _title_from_lines(kept: list[str]) -> str | None:
    for line in kept[:2]:
        if len(line) <= _HEADLINE_MAX and not line.endswith((".", "!", "?", ":")):
            return line
    return None


def clean_document(
    body: str, body_format: str, metadata: dict[str, str], languages: tuple[str, ...]
) -> CleanDocument:
    """Clean one document's body; ``metadata`` comes from the crawler (sidecar or JSONL)."""
    html_title = html_date = sitename = None
    if body_format == "html":
        body, html_title, html_date, sitename = extract_html(body)
    lines = normalise_text(body)
    cleaned = remove_boilerplate(lines)
    text = "\n".join(cleaned.kept)
    raw_lines = [line for line in lines.split("\n") if line]
    published = parse_iso_date(metadata.get("published")) or html_date or _date_from_lines(raw_lines)
    title = metadata.get("title") or html_title or _title_from_lines(cleaned.kept)
    hint = metadata.get("language", "").lower()
    default = hint if hint in languages else None

    sentences: list[Sentence] = []
    offset = 0
    for line in cleaned.kept:
        line_language = detect_language(line, languages, default) or default or languages[0]
        for start, end in split_sentences(line, line_language):
            piece = line[start:end]
            language = detect_language(piece, languages, line_language) or line_language
            sentences.append(Sentence(offset + start, offset + end, language))
        offset += len(line) + 1
    weights = [(s.language, sum(ch.isalpha() for ch in text[s.start : s.end])) for s in sentences]
    language = document_language(weights) if sentences else (default or "und")
    return CleanDocument(
        text=text,
        title=title,
        published_date=published,
        outlet=metadata.get("outlet") or sitename,
        language=language,
        sentences=sentences,
        removed=cleaned.removed,
    )
