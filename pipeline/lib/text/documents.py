"""From raw document rows to cleaned document rows, sentence rows and cleaning rejects."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from pipeline.lib.text.clean import clean_document, text_fingerprint


def document_id(source_path: str, text: str) -> str:
    """Stable document id: the same file (path and cleaned text) always gets the same id.

    The path is part of the key because exact copies are kept as rows of their own
    (``duplicate_of`` links them), so the text alone cannot be a primary key.
    """
    return hashlib.sha256(f"{source_path}\x1f{text_fingerprint(text)}".encode()).hexdigest()[:16]


def clean_rows(
    raw_rows: Iterable[dict],
    languages: tuple[str, ...],
    min_chars: int,
) -> tuple[list[dict], list[dict], list[dict]]:
    """(document rows, sentence rows, quarantine rows) for raw document rows."""
    documents, sentences, rejects = [], [], []
    for raw in raw_rows:
        metadata = {key: value for key, value in (raw.get("metadata") or {}).items() if value}
        cleaned = clean_document(raw["body"], raw["body_format"], metadata, languages)
        if len(cleaned.text) < min_chars or not cleaned.sentences:
            rejects.append(
                {
                    "source_path": raw["source_path"],
                    "reason": "no_article_text",
                    "detail": f"{len(cleaned.text)} characters of article text after cleaning "
                    f"({len(cleaned.removed)} boilerplate lines removed)",
                    "content_sha256": raw["content_sha256"],
                    "seen_at": raw["ingested_at"],
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
                "content_sha256": raw["content_sha256"],
                "removed_line_count": len(cleaned.removed),
                "removed_lines": [f"{reason}\t{line}" for reason, line in cleaned.removed],
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
    return documents, sentences, rejects
