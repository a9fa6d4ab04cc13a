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


@dataclass
class InputRecord:
    """One input as the raw archive keeps it, before decoding.

    An article's bytes (a text or HTML file with its sidecar's bytes, or one JSONL line), or an
    input refused before it could be decoded (too large, unsupported type, unreadable, a sidecar
    without its article), with the reason and no bytes. ``record_sha256`` addresses the content
    (payload and sidecar): the archive stores equal content once.
    """

    source_path: str
    input_file: str
    input_sha256: str  # hash of the input file and its sidecar: unchanged hash, unchanged input
    kind: str  # "text", "html", "jsonl" (one line of a JSONL file) or "refused"
    content_sha256: str | None  # of the raw bytes (the file, or the JSONL line)
    record_sha256: str | None = None
    payload: bytes | None = None
    sidecar: bytes | None = None
    reason: str | None = None  # why a refused input was refused
    detail: str | None = None


REFUSED = "refused"


def read_input_records(
    files: list[Path], input_dir: Path, max_bytes: int, known: Mapping[str, str] | None = None
) -> Iterator[InputRecord | Unchanged]:
    """An :class:`InputRecord` for every input of ``files`` (below ``input_dir``), streamed.

    ``known`` maps input files (relative paths) to the hash an earlier run read them with; a file
    whose hash is the same is reported as :class:`Unchanged` instead of being read again.
    """
    known = known or {}
    documents = {path for path in files if path.suffix.lower() in TEXT_SUFFIXES}
    for path in files:
        rel = path.relative_to(input_dir).as_posix()
        if path.name.lower().endswith(SIDECAR_SUFFIX):
            if not any(_sidecar_for(doc) == path for doc in documents):
                try:
                    digest = _file_sha256(path)
                except OSError as err:
                    yield InputRecord(rel, rel, "", REFUSED, None, reason="unreadable", detail=str(err))
                    continue
                if known.get(rel) == digest:
                    yield Unchanged(rel, digest)
                    continue
                reason = "sidecar without a matching .txt/.md/.html file"
                yield InputRecord(rel, rel, digest, REFUSED, digest, reason="orphan_metadata", detail=reason)
            continue
        sidecar = _sidecar_for(path) if path in documents and _sidecar_for(path).is_file() else None
        try:
            unit_digest = _unit_sha256(path, sidecar)
        except OSError as err:
            yield InputRecord(rel, rel, "", REFUSED, None, reason="unreadable", detail=str(err))
            continue
        if known.get(rel) == unit_digest:
            yield Unchanged(rel, unit_digest)
            continue
        yield from _file_records(path, rel, sidecar, unit_digest, max_bytes)


def _file_records(
    path: Path, rel: str, sidecar: Path | None, unit_digest: str, max_bytes: int
) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()

    def refused(reason: str, detail: str, digest: str | None, source: str = rel) -> InputRecord:
        return InputRecord(source, rel, unit_digest, REFUSED, digest, reason=reason, detail=detail)

    try:
        if suffix not in TEXT_SUFFIXES and suffix != JSONL_SUFFIX:
            detail = f"file type {suffix or '(none)'} is not an input format"
            yield refused("unsupported_type", detail, _file_sha256(path))
            return
        if suffix == JSONL_SUFFIX:
            for number, raw in jsonl_lines(path):
                source, digest = f"{rel}#{number}", _sha256(raw)
                if len(raw) > max_bytes:
                    detail = f"line {number}: {len(raw)} bytes exceeds the limit of {max_bytes}"
                    yield refused("too_large", detail, digest, source)
                else:
                    yield InputRecord(source, rel, unit_digest, "jsonl", digest, digest, payload=raw)
            return
        size = path.stat().st_size
        if size > max_bytes:
            detail = f"{size} bytes exceeds the limit of {max_bytes}"
            yield refused("too_large", detail, _file_sha256(path))
            return
        raw = path.read_bytes()
        side = sidecar.read_bytes() if sidecar is not None else None
    except OSError as err:
        yield refused("unreadable", str(err), None)
        return
    yield InputRecord(rel, rel, unit_digest, TEXT_SUFFIXES[suffix], _sha256(raw), unit_digest, raw, side)


def decode_record(record: InputRecord, seen_at: datetime) -> Iterator[RawDocument | QuarantineRecord]:
    """The raw document or quarantine rows an archived input gives (see InputRecord)."""
    rows: Iterator[RawDocument | QuarantineRecord]
    if record.kind == REFUSED:
        rows = iter(
            [
                QuarantineRecord(
                    record.source_path,
                    record.reason or "unreadable",
                    record.detail or "",
                    record.content_sha256,
                    seen_at,
                )
            ]
        )
    elif record.kind == "jsonl":
        rows = _decode_jsonl_line(record.source_path, record.payload or b"", seen_at)
    else:
        rows = _decode_single(record.source_path, record.payload or b"", record.sidecar, record.kind, seen_at)
    for row in rows:
        row.input_file, row.input_sha256 = record.input_file, record.input_sha256
        if isinstance(row, RawDocument):
            row.record_sha256 = record.record_sha256 or record.input_sha256
            # the hash of the bytes as they came in (an adopted record holds decoded text only)
            row.content_sha256 = record.content_sha256 or row.content_sha256
        yield row


def read_inputs(
    files: list[Path],
    input_dir: Path,
    max_bytes: int,
    now: datetime | None = None,
    known: Mapping[str, str] | None = None,
) -> Iterator[RawDocument | QuarantineRecord | Unchanged]:
    """Read and decode ``files`` at once: a raw document or quarantine record for each input.

    The pipeline archives the records first (pipeline.lib.ingest.archive) and decodes them from
    the archive; this is the same without the archive, for scripts and evaluation.
    """
    now = now or datetime.now(UTC)
    for record in read_input_records(files, input_dir, max_bytes, known):
        if isinstance(record, Unchanged):
            yield record
        else:
            yield from decode_record(record, now)


def _decode_single(
    rel: str, raw: bytes, sidecar: bytes | None, body_format: str, now: datetime
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
            loaded = json.loads(sidecar.decode("utf-8-sig"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            metadata = _clean_metadata(loaded)
        except (ValueError, UnicodeDecodeError) as err:
            # The article is still usable; the broken sidecar is reported on its own.
            sidecar_rel = _sidecar_for(Path(rel)).as_posix()
            yield QuarantineRecord(
                sidecar_rel,
                "malformed_metadata",
                f"sidecar ignored, article kept: {err}",
                _sha256(sidecar),
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


def _decode_jsonl_line(source: str, raw: bytes, now: datetime) -> Iterator[RawDocument | QuarantineRecord]:
    """One JSONL line (its source path is 'file.jsonl#N') as a raw document or a quarantine row."""
    number = source.rpartition("#")[2]
    digest = _sha256(raw)
    try:
        decoded = decode_bytes(raw)
        record = json.loads(decoded.text)
    except NotText as err:
        yield QuarantineRecord(source, err.reason, f"line {number}: {err.detail}", digest, now)
        return
    except ValueError as err:
        yield QuarantineRecord(source, "malformed_json", f"line {number}: {err}", digest, now)
        return
    if not isinstance(record, dict):
        yield QuarantineRecord(source, "malformed_json", f"line {number} is not a JSON object", digest, now)
        return
    text, html = record.get("text"), record.get("html")
    if isinstance(text, str) and text.strip():
        body, body_format = text, "text"
    elif isinstance(html, str) and html.strip():
        body, body_format = html, "html"
    else:
        yield QuarantineRecord(
            source, "no_text", f"line {number} has no non-empty 'text' or 'html'", digest, now
        )
        return
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
