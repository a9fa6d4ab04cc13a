"""Read an input folder into raw document records and quarantine records.

The input contract (DATASET.md "What goes in"): ``*.txt``/``*.md`` articles, ``*.html``/``*.htm``
pages, ``*.jsonl`` dumps (one article per line) and optional ``NAME.meta.json`` sidecars. Every
file, and every non-blank JSONL line, ends up either as a raw document or as a quarantine row
with a reason: nothing is dropped silently.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.lib.ingest.decode import NotText, decode_bytes

TEXT_SUFFIXES = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html"}
JSONL_SUFFIX = ".jsonl"
SIDECAR_SUFFIX = ".meta.json"
METADATA_KEYS = ("id", "url", "outlet", "title", "published", "language")


@dataclass
class RawDocument:
    """One article as read from the input, before cleaning."""

    source_path: str
    content_sha256: str
    body: str
    body_format: str  # "text" or "html"
    encoding: str
    ingested_at: datetime
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class QuarantineRecord:
    """One input that is not a document, and why."""

    source_path: str
    reason: str
    detail: str
    content_sha256: str | None
    seen_at: datetime


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clean_metadata(raw: dict[str, Any]) -> dict[str, str]:
    """Keep the contract's metadata keys, as non-empty strings."""
    return {key: str(raw[key]).strip() for key in METADATA_KEYS if raw.get(key) not in (None, "")}


def is_ignored(path: Path, input_dir: Path, ignore_patterns: tuple[str, ...]) -> bool:
    """True for documentation files and anything inside a hidden folder."""
    parts = path.relative_to(input_dir).parts
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in ignore_patterns)


def list_input_files(input_dir: Path, ignore_patterns: tuple[str, ...] = ()) -> tuple[list[Path], list[Path]]:
    """Input files and ignored files below ``input_dir``, each in a stable order."""
    files = sorted(path for path in input_dir.rglob("*") if path.is_file())
    skip = {path for path in files if is_ignored(path, input_dir, ignore_patterns)}
    return [path for path in files if path not in skip], [path for path in files if path in skip]


def _sidecar_for(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_inputs(
    files: list[Path], input_dir: Path, max_bytes: int, now: datetime | None = None
) -> Iterator[RawDocument | QuarantineRecord]:
    """Yield a raw document or a quarantine record for every one of ``files`` (below ``input_dir``)."""
    now = now or datetime.now(UTC)
    documents = {path for path in files if path.suffix.lower() in TEXT_SUFFIXES}
    for path in files:
        rel = path.relative_to(input_dir).as_posix()
        name = path.name.lower()
        if name.endswith(SIDECAR_SUFFIX):
            owner = [doc for doc in documents if _sidecar_for(doc) == path]
            if not owner:
                yield QuarantineRecord(
                    rel,
                    "orphan_metadata",
                    "sidecar without a matching .txt/.md/.html file",
                    _file_sha256(path),
                    now,
                )
            continue
        suffix = path.suffix.lower()
        if suffix not in TEXT_SUFFIXES and suffix != JSONL_SUFFIX:
            yield QuarantineRecord(
                rel,
                "unsupported_type",
                f"file type {suffix or '(none)'} is not an input format",
                _file_sha256(path),
                now,
            )
            continue
        size = path.stat().st_size
        if size > max_bytes:
            yield QuarantineRecord(
                rel, "too_large", f"{size} bytes exceeds the limit of {max_bytes}", _file_sha256(path), now
            )
            continue
        try:
            raw = path.read_bytes()
        except OSError as err:
            yield QuarantineRecord(rel, "unreadable", str(err), None, now)
            continue
        if suffix == JSONL_SUFFIX:
            yield from _read_jsonl(rel, raw, now)
        else:
            yield from _read_single(path, rel, raw, TEXT_SUFFIXES[suffix], now)


def _read_single(
    path: Path, rel: str, raw: bytes, body_format: str, now: datetime
) -> Iterator[RawDocument | QuarantineRecord]:
    digest = _sha256(raw)
    try:
        decoded = decode_bytes(raw)
    except NotText as err:
        yield QuarantineRecord(rel, err.reason, err.detail, digest, now)
        return
    metadata: dict[str, str] = {}
    sidecar = _sidecar_for(path)
    if sidecar.is_file():
        try:
            loaded = json.loads(sidecar.read_text(encoding="utf-8-sig"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            metadata = _clean_metadata(loaded)
        except (ValueError, UnicodeDecodeError) as err:
            # The article is still usable; the broken sidecar is reported on its own.
            sidecar_rel = Path(rel).with_name(sidecar.name).as_posix()
            yield QuarantineRecord(
                sidecar_rel,
                "malformed_metadata",
                f"sidecar ignored, article kept: {err}",
                _sha256(sidecar.read_bytes()),
                now,
            )
    yield RawDocument(rel, digest, decoded.text, body_format, decoded.encoding, now, metadata)


def _read_jsonl(rel: str, raw: bytes, now: datetime) -> Iterator[RawDocument | QuarantineRecord]:
    try:
        decoded = decode_bytes(raw)
    except NotText as err:
        yield QuarantineRecord(rel, err.reason, err.detail, _sha256(raw), now)
        return
    for number, line in enumerate(decoded.text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{rel}#{number}"
        digest = _sha256(line.encode("utf-8"))
        try:
            record = json.loads(line)
        except ValueError as err:
            yield QuarantineRecord(source, "malformed_json", f"line {number}: {err}", digest, now)
            continue
        if not isinstance(record, dict):
            yield QuarantineRecord(
                source, "malformed_json", f"line {number} is not a JSON object", digest, now
            )
            continue
        text, html = record.get("text"), record.get("html")
        if isinstance(text, str) and text.strip():
            body, body_format = text, "text"
        elif isinstance(html, str) and html.strip():
            body, body_format = html, "html"
        else:
            yield QuarantineRecord(
                source, "no_text", f"line {number} has no non-empty 'text' or 'html'", digest, now
            )
            continue
        yield RawDocument(source, digest, body, body_format, decoded.encoding, now, _clean_metadata(record))
