"""From raw document rows to cleaned document rows, sentence rows and cleaning rejects.

Cleaning runs in two passes over a batch of raw documents. The first prepares each body (HTML
main text, normalised lines) and counts, per outlet, in how many documents each line occurs; the
second cleans each document knowing which of its lines recur across the outlet. Counts from
earlier runs are passed in, so an incremental run judges new documents against the whole corpus.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from pipeline.lib.dedup import signature
from pipeline.lib.text.boilerplate import line_key
from pipeline.lib.text.clean import PreparedBody, clean_document, prepare_body, text_fingerprint

OUTLET_LINES_SCHEMA = {"outlet_key": pl.String, "line_key": pl.String, "documents": pl.Int64}


@dataclass
class CleanedBatch:
    """What cleaning a batch of raw documents produced."""

    documents: list[dict]
    sentences: list[dict]
    rejects: list[dict]
    outlet_lines: pl.DataFrame  # the updated line counts (earlier runs plus this batch)


def document_id(source_path: str, text: str) -> str:
    """Stable document id: the same file (path and cleaned text) always gets the same id.

    The path is part of the key because exact copies are kept as rows of their own
    (``duplicate_of`` links them), so the text alone cannot be a primary key.
    """
    return hashlib.sha256(f"{source_path}\x1f{text_fingerprint(text)}".encode()).hexdigest()[:16]


def outlet_key(input_file: str, outlet: str | None) -> str:
    """Which documents share page furniture: the named outlet, else the folder they came from."""
    if outlet and outlet.strip():
        return "outlet:" + " ".join(outlet.casefold().split())
    return "folder:" + (posixpath.dirname(input_file) or ".")


def count_outlet_lines(documents: Iterable[tuple[str, str]], previous: pl.DataFrame | None) -> pl.DataFrame:
    """Per (outlet_key, line_key), the number of documents holding the line; (outlet, text) items."""
    counts: Counter[tuple[str, str]] = Counter()
    for outlet, text in documents:
        for key in {line_key(line) for line in text.split("\n") if line.strip()}:
            counts[(outlet, key)] += 1
    batch = pl.DataFrame(
        [(outlet, key, count) for (outlet, key), count in counts.items()],
        schema=OUTLET_LINES_SCHEMA,
        orient="row",
    )
    if previous is not None and previous.height:
        batch = pl.concat([previous.select(OUTLET_LINES_SCHEMA.keys()), batch])
    return (
        batch.group_by("outlet_key", "line_key").agg(pl.col("documents").sum()).sort("outlet_key", "line_key")
    )


def recurring_lines(counts: pl.DataFrame, min_documents: int) -> dict[str, frozenset[str]]:
    """Line keys found in at least ``min_documents`` documents, per outlet key."""
    frequent = counts.filter(pl.col("documents") >= min_documents)
    return {
        outlet: frozenset(keys)
        for outlet, keys in frequent.group_by("outlet_key").agg("line_key").iter_rows()
    }


def _metadata(raw: dict) -> dict[str, str]:
    return {key: value for key, value in (raw.get("metadata") or {}).items() if value}


def clean_rows(
    raw_rows: Iterable[dict],
    languages: tuple[str, ...],
    min_chars: int,
    previous_lines: pl.DataFrame | None = None,
    outlet_min_documents: int = 3,
) -> CleanedBatch:
    """Clean a batch of raw document rows (with the line counts of earlier runs, if any)."""
    prepared: list[tuple[dict, PreparedBody, str]] = []
    for raw in raw_rows:
        body = prepare_body(raw["body"], raw["body_format"])
        key = outlet_key(
            raw.get("input_file") or raw["source_path"], _metadata(raw).get("outlet") or body.sitename
        )
        prepared.append((raw, body, key))
    counts = count_outlet_lines(((key, body.text) for _, body, key in prepared), previous_lines)
    recurring = recurring_lines(counts, outlet_min_documents)

    documents, sentences, rejects = [], [], []
    for raw, body, key in prepared:
        metadata = _metadata(raw)
        cleaned = clean_document(body, raw["body_format"], metadata, languages, recurring.get(key, ()))
        if len(cleaned.text) < min_chars or not cleaned.sentences:
            rejects.append(
                {
                    "source_path": raw["source_path"],
                    "reason": "no_article_text",
                    "detail": f"{len(cleaned.text)} characters of article text after cleaning "
                    f"({len(cleaned.removed)} boilerplate lines removed)",
                    "content_sha256": raw["content_sha256"],
                    "seen_at": raw["ingested_at"],
                    "record_sha256": raw.get("record_sha256"),
                }
            )
            continue
        doc_id = document_id(raw["source_path"], cleaned.text)
        documents.append(
            {
                "doc_id": doc_id,
                "source_path": raw["source_path"],
                "source_url": metadata.get("url"),
                "outlet": cleaned.outlet,
                "title": cleaned.title,
                "published_date": cleaned.published_date,
                "language": cleaned.language,
                "char_count": len(cleaned.text),
                "text": cleaned.text,
                "text_sha256": text_fingerprint(cleaned.text),
                "minhash": signature(cleaned.text),
                "content_sha256": raw["content_sha256"],
                "record_sha256": raw.get("record_sha256"),
                "encoding": raw.get("encoding"),
                "removed_line_count": len(cleaned.removed),
                "removed_lines": [
                    {"line": line.number, "reason": line.reason, "text": line.text}
                    for line in cleaned.removed
                ],
                "ingested_at": raw["ingested_at"] if isinstance(raw["ingested_at"], datetime) else None,
            }
        )
        sentences.extend(
            {
                "doc_id": doc_id,
                "sentence_index": index,
                "char_start": s.start,
                "char_end": s.end,
                "language": s.language,
            }
            for index, s in enumerate(cleaned.sentences)
        )
    return CleanedBatch(documents, sentences, rejects, counts)
