"""Measure near-duplicate similarities to choose the dedup threshold (figures in the README).

Copies: the sample corpus's syndicated pair, and for every document of the sample, the own
held-out set and (when present) the dev set, republication variants a wire story goes through:
a new headline and leftover page furniture, a cut last paragraph, copy edits (one word in 20
changed), and all three at once. Non-copies: every pair of distinct articles, which includes
reports of the same happening by different outlets (they must stay separate documents).

For each group the script prints the exact Jaccard similarity of word 5-gram sets and the
MinHash estimate, and whether LSH at the configured threshold finds the pair.

    .venv/bin/python scripts/measure_dedup.py [--threshold 0.5]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys

from pipeline.lib.dedup import estimated_jaccard, near_duplicate_pairs, shingles, signature
from pipeline.lib.ingest.inputs import RawDocument, list_input_files, read_inputs
from pipeline.lib.settings import PROJECT_ROOT, Settings
from pipeline.lib.text.clean import clean_document

CORPORA = {
    "sample": PROJECT_ROOT / "data" / "sample",
    "own": PROJECT_ROOT / "eval" / "own" / "docs",
    "devset": PROJECT_ROOT.parent / "shared" / "devset" / "docs",
}
FURNITURE = ["Share this article", "Follow us for more news from the region", "Related: Markets close higher"]


def cleaned_texts() -> dict[str, str]:
    """Cleaned text of every readable document of the corpora, by 'corpus:source_path'."""
    texts = {}
    languages = tuple(Settings().languages)
    for corpus, folder in CORPORA.items():
        if not folder.is_dir():
            continue
        files, _ = list_input_files(folder, ("README*", ".*"))
        for record in read_inputs(files, folder, 50_000_000):
            if isinstance(record, RawDocument):
                cleaned = clean_document(record.body, record.body_format, record.metadata, languages)
                texts[f"{corpus}:{record.source_path}"] = cleaned.text
    return texts


def _edit_words(text: str, rng: random.Random, every: int = 20) -> str:
    words = text.split(" ")
    for index in range(0, len(words), every):
        position = min(len(words) - 1, index + rng.randrange(every))
        words[position] = words[position][::-1] + "x"
    return " ".join(words)


def variants(text: str, rng: random.Random) -> dict[str, str]:
    """Republication variants of an article."""
    lines = text.split("\n")
    headline = ["Updated: " + " ".join(reversed(lines[0].split())), *lines[1:]]
    furnished = "\n".join(headline + FURNITURE)
    truncated = "\n".join(lines[:-1]) if len(lines) > 3 else text
    edited = _edit_words(text, rng)
    combined = "\n".join([*headline[:-1], *FURNITURE]) if len(lines) > 3 else furnished
    return {
        "headline_and_furniture": furnished,
        "last_paragraph_cut": truncated,
        "copy_edits_1_in_20_words": edited,
        "all_three": _edit_words(combined, rng),
    }


def jaccard(first: str, second: str) -> float:
    """Exact Jaccard similarity of the word 5-gram sets."""
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b) if a | b else 1.0


def _summary(name: str, pairs: list[tuple[float, float, bool]]) -> str:
    exact = [pair[0] for pair in pairs]
    estimate = [pair[1] for pair in pairs]
    found = sum(pair[2] for pair in pairs)
    return (
        f"{name:28s} n={len(pairs):4d}  exact min/median/max {min(exact):.2f}/{statistics.median(exact):.2f}/"
        f"{max(exact):.2f}  minhash min/max {min(estimate):.2f}/{max(estimate):.2f}  found by LSH {found}/{len(pairs)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the similarity figures for copies and non-copies at a threshold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=Settings().near_duplicate_threshold)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    texts = cleaned_texts()
    signatures = {key: signature(text) for key, text in texts.items()}
    found = {(a, b) for a, b, _ in near_duplicate_pairs(sorted(signatures.items()), args.threshold)}

    def measured(key_a: str, text_a: str, key_b: str, text_b: str) -> tuple[float, float, bool]:
        sig_a, sig_b = signatures.get(key_a) or signature(text_a), signatures.get(key_b) or signature(text_b)
        pair_found = (min(key_a, key_b), max(key_a, key_b)) in found or bool(
            near_duplicate_pairs([(key_a, sig_a), (key_b, sig_b)], args.threshold)
        )
        return jaccard(text_a, text_b), estimated_jaccard(sig_a, sig_b), pair_found

    groups: dict[str, list[tuple[float, float, bool]]] = {}
    wire = ("sample:en_wire_original.txt", "sample:en_wire_republished.txt")
    if all(key in texts for key in wire):
        groups["syndicated sample pair"] = [measured(wire[0], texts[wire[0]], wire[1], texts[wire[1]])]
    for key, text in texts.items():
        for name, variant in variants(text, rng).items():
            groups.setdefault(f"copy: {name}", []).append(measured(key, text, key + "~" + name, variant))
    distinct = [
        measured(a, texts[a], b, texts[b])
        for a, b in itertools.combinations(sorted(texts), 2)
        if {a, b} != set(wire)
    ]
    groups["distinct articles"] = distinct
    print(f"{len(texts)} documents, threshold {args.threshold}")
    for name, pairs in groups.items():
        print(_summary(name, pairs))
    top = sorted(
        (
            (jaccard(texts[a], texts[b]), a, b)
            for a, b in itertools.combinations(sorted(texts), 2)
            if {a, b} != set(wire)
        ),
        reverse=True,
    )[:3]
    for similarity, a, b in top:
        print(f"most similar distinct pair: {similarity:.2f} {a} {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
