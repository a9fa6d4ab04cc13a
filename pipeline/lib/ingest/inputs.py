"""Read an input folder into raw document records and quarantine records.

The input contract (DATASET.md "What goes in"): ``*.txt``/``*.md`` articles, ``*.html``/``*.htm``
pages, ``*.jsonl`` dumps (one article per line) and optional ``NAME.meta.json`` sidecars. Every
file, and every non-blank JSONL line, ends up either as a raw document or as a quarantine row
with a reason: nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
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
    input_file: str = ""  # the file read (the JSONL file for a JSONL line)
    input_sha256: str = ""  # hash of that file and its sidecar: unchanged hash, unchanged input
    record_sha256: str = ""  # hash of this record (file and sidecar, or the JSONL line)


@dataclass
class QuarantineRecord:
    """One input that is not a document, and why."""

    source_path: str
    reason: str
    detail: str
    content_sha256: str | None
    seen_at: datetime
    input_file: str = ""
    input_sha256: str = ""


@dataclass(frozen=True)
class Unchanged:
    """An input file whose hash equals the one recorded by an earlier run: not read again."""

    input_file: str
    input_sha256: str


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


def list_input_files(
    input_dir: Path, ignore_patterns: tuple[str, ...] = (), batch: Callable[[Path], bool] | None = None
) -> tuple[list[Path], list[Path]]:
    """Input files and ignored files below ``input_dir``, each in a stable order.

    ``batch`` narrows the listing to some top-level entries (it is called with each entry).
    """
    if not input_dir.is_dir():
        return [], []
    entries = [entry for entry in input_dir.iterdir() if batch is None or batch(entry)]
    files = sorted(
        path
        for entry in entries
        for path in ([entry] if entry.is_file() else entry.rglob("*"))
        if path.is_file()
    )
    skip = {path for path in files if is_ignored(path, input_dir, ignore_patterns)}
    return [path for path in files if path not in skip], [path for path in files if path in skip]


def _sidecar_for(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _unit_sha256(path: Path, sidecar: Path | None) -> str:
    """Hash of an input file together with its sidecar (a changed sidecar changes the document)."""
    digest = _file_sha256(path)
    if sidecar is None:
        return digest
    return _sha256(f"{digest}+{_file_sha256(sidecar)}".encode())


def read_inputs(
    files: list[Path],
    input_dir: Path,
    max_bytes: int,
    now: datetime | None = None,
    known: Mapping[str, str] | None = None,
) -> Iterator[RawDocument | QuarantineRecord | Unchanged]:
    """Yield a raw document or a quarantine record for every one of ``files`` (below ``input_dir``).

    ``known`` maps input files (relative paths) to the hash an earlier run read them with; a file
    whose hash is the same is reported as :class:`Unchanged` instead of being read again.
    """
    now = now or datetime.now(UTC)
    known = known or {}
    documents = {path for path in files if path.suffix.lower() in TEXT_SUFFIXES}
    for path in files:
        rel = path.relative_to(input_dir).as_posix()
        name = path.name.lower()
        if name.endswith(SIDECAR_SUFFIX):
            if not any(_sidecar_for(doc) == path for doc in documents):
                digest = _file_sha256(path)
                if known.get(rel) == digest:
                    yield Unchanged(rel, digest)
                    continue
                reason = "sidecar without a matching .txt/.md/.html file"
                yield QuarantineRecord(rel, "orphan_metadata", reason, digest, now, rel, digest)
            continue
        sidecar = _sidecar_for(path) if path in documents and _sidecar_for(path).is_file() else None
        try:
            unit_digest = _unit_sha256(path, sidecar)
        except OSError as err:
            yield QuarantineRecord(rel, "unreadable", str(err), None, now, rel, "")
            continue
        if known.get(rel) == unit_digest:
            yield Unchanged(rel, unit_digest)
            continue
        for record in _read_file(path, rel, sidecar, max_bytes, now):
            record.input_file, record.input_sha256 = rel, unit_digest
            if isinstance(record, RawDocument) and not record.record_sha256:
                record.record_sha256 = unit_digest
            yield record


def _read_file(
    path: Path, rel: str, sidecar: Path | None, max_bytes: int, now: datetime
) -> Iterator[RawDocument | QuarantineRecord]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES and suffix != JSONL_SUFFIX:
        yield QuarantineRecord(
            rel,
            "unsupported_type",
            f"file type {suffix or '(none)'} is not an input format",
            _file_sha256(path),
            now,
        )
        return
    if suffix == JSONL_SUFFIX:
        yield from _read_jsonl(path, rel, max_bytes, now)
        return
    size = path.stat().st_size
    if size > max_bytes:
        yield QuarantineRecord(
            rel, "too_large", f"{size} bytes exceeds the limit of {max_bytes}", _file_sha256(path), now
        )
        return
    try:
        raw = path.read_bytes()
    except OSError as err:
        yield QuarantineRecord(rel, "unreadable", str(err), None, now)
        return
    yield from _read_single(rel, raw, sidecar, TEXT_SUFFIXES[suffix], now)


def _read_single(
    rel: str, raw: bytes, sidecar: Path | None, body_format: str, now: datetime
) -> Iterator[RawDocument | QuarantineRecord]:
    digest = _sha256(raw)
    try:
        decoded = decode_bytes(raw)
    except NotText as err:
        yield QuarantineRecord(rel, err.reason, err.detail, digest, now)
        return
    metadata: dict[str, str] = {}
    if sidecar is not None:
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


def jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, bytes) of the non-blank lines of a JSONL file, read as a stream."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if line.strip():
                yield number, line.rstrip(b"\r\n")


def _read_jsonl(
    path: Path, rel: str, max_bytes: int, now: datetime
) -> Iterator[RawDocument | QuarantineRecord]:
    """One record per line; the size limit applies to each line, so large dumps stream through."""
    for number, raw in jsonl_lines(path):
        source = f"{rel}#{number}"
        digest = _sha256(raw)
        if len(raw) > max_bytes:
            yield QuarantineRecord(
                source,
                "too_large",
                f"line {number}: {len(raw)} bytes exceeds the limit of {max_bytes}",
                digest,
                now,
            )
            continue
        try:
            decoded = decode_bytes(raw)
            record = json.loads(decoded.text)
        except NotText as err:
            yield QuarantineRecord(source, err.reason, f"line {number}: {err.detail}", digest, now)
            continue
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
        yield RawDocument(
            source,
            digest,
            body,
            body_format,
            decoded.encoding,
            now,
            _clean_metadata(record),
            record_sha256=digest,
        )
