#!/usr/bin/env python3
"""Check eval/boilerplate/labels.jsonl against the documents it labels.

The lines are enumerated the way the pipeline reads them: ``read_inputs`` gives the raw body,
``normalise_text`` normalises it, and the non-blank lines are numbered from 0. The script checks
that every document is labelled, that every line is labelled exactly once, that each label's
``sha1`` matches its line, and that ``label`` and ``kind`` are valid and agree with each other.
It prints counts and exits 1 when it finds a problem.

Run from the repository root:  .venv/bin/python eval/boilerplate/check_labels.py
"""

from __future__ import annotations

import collections
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.lib.ingest.inputs import RawDocument, read_inputs  # noqa: E402
from pipeline.lib.text.clean import normalise_text  # noqa: E402

CORPORA = {
    "sample": ROOT / "data" / "sample",
    "devset": ROOT / ".." / "shared" / "devset" / "docs",
    "own": ROOT / "eval" / "own" / "docs",
}
KEEP_KINDS = {"headline", "body", "subhead", "quote", "dateline"}
DROP_KINDS = {
    "byline",
    "date",
    "caption",
    "credit",
    "share",
    "subscribe",
    "promo",
    "cookie",
    "ad",
    "navigation",
    "masthead",
    "teaser",
    "tags",
    "bio",
    "comment",
    "copyright",
    "link",
    "repeat",
    "other",
}
ROW_KEYS = {"i", "sha1", "label", "kind"}
MAX_BYTES = 50_000_000


def corpus_files(corpus: str, folder: Path) -> list[Path]:
    """The plain-text inputs of a corpus folder: .txt/.md (+ .jsonl in the sample), no README, no HTML."""
    suffixes = {".txt", ".md", ".jsonl"} if corpus == "sample" else {".txt"}
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in suffixes and p.name != "README.md"
    )


def line_sha(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()[:10]


def enumerate_documents() -> dict[tuple[str, str], list[str]]:
    docs: dict[tuple[str, str], list[str]] = {}
    for corpus, folder in CORPORA.items():
        if not folder.is_dir():
            sys.exit(f"corpus folder not found: {folder}")
        for rec in read_inputs(corpus_files(corpus, folder), folder, MAX_BYTES):
            if isinstance(rec, RawDocument):
                docs[(corpus, rec.source_path)] = [
                    ln for ln in normalise_text(rec.body).split("\n") if ln.strip()
                ]
    return docs


def main() -> int:
    errors: list[str] = []
    docs = enumerate_documents()
    records = []
    for n, raw in enumerate((HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        try:
            records.append(json.loads(raw))
        except json.JSONDecodeError as exc:
            errors.append(f"labels.jsonl line {n}: invalid JSON: {exc}")
    keys = [(r.get("corpus"), r.get("source_path")) for r in records]
    if keys != sorted(keys):
        errors.append("records are not sorted by (corpus, source_path)")
    for key, count in collections.Counter(keys).items():
        if count > 1:
            errors.append(f"{key}: {count} records")
    for key in sorted(set(docs) - set(keys)):
        errors.append(f"{key}: document not labelled")

    lines_per = collections.Counter()
    docs_per = collections.Counter()
    drops = collections.Counter()
    for rec in records:
        key = (rec.get("corpus"), rec.get("source_path"))
        if set(rec) != {"corpus", "source_path", "lines"}:
            errors.append(f"{key}: unexpected keys {sorted(rec)}")
        if key not in docs:
            errors.append(f"{key}: no such document")
            continue
        lines = docs[key]
        docs_per[key[0]] += 1
        lines_per[key[0]] += len(lines)
        seen: set[int] = set()
        for row in rec.get("lines", []):
            i = row.get("i")
            where = f"{key[0]}:{key[1]} line {i}"
            if not set(row) <= ROW_KEYS | {"note"} or not set(row) >= ROW_KEYS:
                errors.append(f"{where}: bad keys {sorted(row)}")
            if not isinstance(i, int) or not 0 <= i < len(lines):
                errors.append(f"{where}: index out of range (document has {len(lines)} lines)")
                continue
            if i in seen:
                errors.append(f"{where}: labelled twice")
            seen.add(i)
            if row.get("sha1") != line_sha(lines[i]):
                errors.append(f"{where}: sha1 {row.get('sha1')} != {line_sha(lines[i])}")
            label, kind = row.get("label"), row.get("kind")
            if (label == "keep" and kind not in KEEP_KINDS) or (label == "drop" and kind not in DROP_KINDS):
                errors.append(f"{where}: label {label!r} with kind {kind!r}")
            if label not in {"keep", "drop"}:
                errors.append(f"{where}: bad label {label!r}")
            if label == "drop":
                drops[kind] += 1
            if "note" in row and not (isinstance(row["note"], str) and row["note"].strip()):
                errors.append(f"{where}: empty note")
        missing = sorted(set(range(len(lines))) - seen)
        if missing:
            errors.append(f"{key[0]}:{key[1]}: lines not labelled: {missing}")

    for corpus in CORPORA:
        print(f"{corpus:7s} {docs_per[corpus]:3d} documents {lines_per[corpus]:4d} lines")
    print(
        "drop lines per kind: "
        + ", ".join(f"{k} {v}" for k, v in sorted(drops.items(), key=lambda kv: (-kv[1], kv[0])))
    )
    for message in errors:
        print("ERROR", message)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
