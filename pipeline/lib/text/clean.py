"""Clean one raw document: main text, boilerplate removal, title, date, language, sentences.

The cleaned text is the coordinate system of the dataset: sentence, mention and event offsets all
point into it, so it is built once here and never changed later.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import trafilatura

from pipeline.lib.text.boilerplate import LineDecision, is_date_stamp, remove_boilerplate
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
    removed: list[LineDecision] = field(default_factory=list)


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
    """A publication date shown as a short date line near the top of the article.

    A date line (or one " | "-separated part of a meta line, "By X | April 21, 2024 | 4 min
    read") holds a date precise to the day and is otherwise a date stamp in the sense of the
    boilerplate remover (:func:`pipeline.lib.text.boilerplate.is_date_stamp`: times, stamp words
    such as "Stand:", "Опубликовано:", "Published ... at", a leading place or byline before a
    comma). A sentence with a date ("Am 6. April 2024 unterzeichneten sie ...") is an event's
    date, not the publication date. Without a date line the date stays unknown: never guessed.
    """
    for line in lines[:_DATE_SEARCH_LINES]:
        if len(line) > _DATE_LINE_MAX:
            continue
        for part in re.split(r"\s+[|·•]\s+", line):
            mentions = find_dates(part)
            shown = next((m.value for m in mentions if m.precision == "day" and m.value is not None), None)
            if shown is None:
                continue
            if is_date_stamp(part):
                return shown
    return None


def _title_from_lines(kept: list[str]) -> str | None:
    """The headline: the first kept line that is not a date line or a kicker ("Exklusiv:").

    That line must read as a headline (not too long, not starting lowercase, not ending like a
    sentence or a lead-in with "." ":" ";" ","; "?", "!" and "…" end many headlines), or there
    is no title.
    """
    for line in kept[:3]:
        if _date_from_lines([line]) is not None or (line.endswith(":") and len(line.split()) <= 3):
            continue
        ends_sentence = line.endswith((":", ";", ",")) or (line.endswith(".") and not line.endswith("..."))
        if len(line) <= _HEADLINE_MAX and not line[:1].islower() and not ends_sentence:
            return line
        return None
    return None


@dataclass
class PreparedBody:
    """A body ready for line cleaning: normalised text, plus what an HTML page said about itself."""

    text: str
    title: str | None = None
    published_date: date | None = None
    sitename: str | None = None


def prepare_body(body: str, body_format: str) -> PreparedBody:
    """Normalised text of a body; for HTML, trafilatura's main text and the page metadata."""
    if body_format == "html":
        text, title, published, sitename = extract_html(body)
        return PreparedBody(normalise_text(text), title, published, sitename)
    return PreparedBody(normalise_text(body))


def clean_document(
    body: str | PreparedBody,
    body_format: str,
    metadata: dict[str, str],
    languages: tuple[str, ...],
    outlet_lines: Collection[str] = (),
) -> CleanDocument:
    """Clean one document's body; ``metadata`` comes from the crawler (sidecar or JSONL).

    ``outlet_lines`` are the line keys that recur across the outlet's documents (see
    :func:`pipeline.lib.text.boilerplate.remove_boilerplate`).
    """
    prepared = body if isinstance(body, PreparedBody) else prepare_body(body, body_format)
    cleaned = remove_boilerplate(prepared.text, outlet_lines=outlet_lines)
    text = "\n".join(cleaned.kept)
    raw_lines = [line for line in prepared.text.split("\n") if line]
    published = (
        parse_iso_date(metadata.get("published")) or prepared.published_date or _date_from_lines(raw_lines)
    )
    title = metadata.get("title") or prepared.title or _title_from_lines(cleaned.kept)
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
        outlet=metadata.get("outlet") or prepared.sitename,
        language=language,
        sentences=sentences,
        removed=[d for d in cleaned.decisions if d.reason is not None],
    )
