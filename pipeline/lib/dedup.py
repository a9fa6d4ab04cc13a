"""Duplicate documents: exact copies and near copies, grouped, with one canonical document each.

Two documents are copies when their normalised texts are equal (exact) or when the Jaccard
similarity of their word 5-gram sets, estimated by MinHash, reaches the near-duplicate threshold.
Candidate pairs come from MinHash LSH (banded signatures), so the cost grows with the number of
documents, not with the number of pairs; each candidate is then confirmed on its estimated
similarity. Groups are the connected components of confirmed pairs.

Canonical rule (stated in the README): the earliest published document of a group, then the
longest, then the smallest source path, so the choice never depends on input order. Every other
member gets ``duplicate_of`` = the canonical ``doc_id``. Duplicates stay in the documents table;
later stages code events only from canonical documents and count duplicates as extra sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np
import polars as pl
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 20240601
SCHEME = "affine32"
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of word ``size``-grams of ``text``, case folded (the whole text when shorter)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int):
    """The hash permutations of SEED (drawn once: MinHash draws them anew for every instance)."""
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations


def signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    """The MinHash signature of the text's shingles, as bytes to store in a table column."""
    minhash = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME, permutations=_permutations(num_perm))
    minhash.update_batch(sorted(shingles(text)))
    return minhash.hashvalues.astype(np.uint32).tobytes()


def _minhash(data: bytes, num_perm: int) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint32).astype(np.uint64)
    return MinHash(num_perm=num_perm, seed=SEED, hashvalues=values, scheme=SCHEME)


def estimated_jaccard(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures (share of equal hash values)."""
    a, b = np.frombuffer(first, dtype=np.uint32), np.frombuffer(second, dtype=np.uint32)
    if a.size == 0 or a.size != b.size:
        return 0.0
    return float(np.mean(a == b))


class _Components:
    """Union-find over document ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[item] = parent
        return parent

    def union(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def band_parameters(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) of the LSH: datasketch's choice for this threshold and signature size."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_candidates(signatures: np.ndarray, bands: int, rows: int) -> Iterator[np.ndarray]:
    """Per LSH band, the index pairs (i < j) of signatures that agree on every value of the band.

    The banding of MinHash LSH, done on whole columns: each band's values are folded into one
    64-bit key, and rows sharing a key in the same band are candidates (a rare fold collision only
    adds a candidate, which the similarity check then rejects). A pair may recur in later bands.
    """
    count = signatures.shape[0]
    for band in range(bands):  # one band at a time keeps the join small
        key = np.zeros(count, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for column in signatures[:, band * rows : (band + 1) * rows].T:
                key = key * np.uint64(1_000_003) + column.astype(np.uint64)
        frame = pl.DataFrame({"row": np.arange(count, dtype=np.int64), "key": key})
        shared = frame.filter(pl.len().over("key") > 1)
        if shared.height:
            joined = shared.join(shared, on="key", suffix="_other").filter(
                pl.col("row") < pl.col("row_other")
            )
            yield joined.select("row", "row_other").to_numpy()


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Index pairs (i < j) of signatures that agree on every value of at least one band."""
    count = signatures.shape[0]
    codes = [pairs[:, 0] * count + pairs[:, 1] for pairs in band_candidates(signatures, bands, rows)]
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = np.unique(np.concatenate(codes))
    return np.column_stack([unique // count, unique % count])


def near_duplicate_pairs(
    items: Iterable[tuple[str, bytes]], threshold: float, num_perm: int = NUM_PERM
) -> list[tuple[str, str, float]]:
    """Confirmed near-duplicate pairs (id, id, similarity) among (id, signature) items, via LSH.

    Candidates come from the LSH banding (no all-pairs comparison); each candidate's similarity is
    the share of equal signature values, and pairs at or above ``threshold`` are kept.
    """
    keys: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    for key, data in items:
        if key in seen or not data:
            continue
        seen.add(key)
        keys.append(key)
        rows.append(np.frombuffer(data, dtype=np.uint32))
    if len(rows) < 2:
        return []
    signatures = np.vstack(rows)
    # Each band's candidates are judged before the next band's are formed, so only one band's
    # pairs are held: all candidates at once grow with the square of a corpus's repeated text.
    pairs: dict[tuple[str, str], float] = {}
    for candidates in band_candidates(signatures, *band_parameters(threshold, num_perm)):
        for chunk in range(0, len(candidates), 100_000):
            part = candidates[chunk : chunk + 100_000]
            similarity = (signatures[part[:, 0]] == signatures[part[:, 1]]).mean(axis=1)
            kept = similarity >= threshold
            for (first, second), value in zip(part[kept], similarity[kept], strict=True):
                a, b = keys[first], keys[second]
                pairs[(min(a, b), max(a, b))] = float(value)
    return sorted((a, b, value) for (a, b), value in pairs.items())


def duplicate_groups(documents: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """``doc_id`` -> ``dup_group`` (the smallest doc_id of its group of copies).

    Needs columns doc_id, text_sha256 (exact copies) and minhash (signature bytes, may be null).
    """
    components = _Components()
    for members in documents.group_by("text_sha256").agg("doc_id")["doc_id"]:
        for member in members[1:]:
            components.union(members[0], member)
    signed = documents.filter(pl.col("minhash").is_not_null()).sort("doc_id")
    for first, second, _ in near_duplicate_pairs(
        zip(signed["doc_id"], signed["minhash"], strict=True), threshold
    ):
        components.union(first, second)
    ids = documents["doc_id"].to_list()
    return pl.DataFrame(
        {"doc_id": ids, "dup_group": [components.find(key) for key in ids]},
        schema={"doc_id": pl.String, "dup_group": pl.String},
    )


# The columns mark_duplicates reads.
DEDUP_COLUMNS = ("doc_id", "source_path", "published_date", "char_count", "text_sha256", "minhash")


def mark_duplicates(documents: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Add ``duplicate_of`` and ``duplicate_similarity`` (to the canonical document) to ``documents``.

    Needs the DEDUP_COLUMNS.
    """
    groups = duplicate_groups(documents, threshold)
    ranked = documents.join(groups, on="doc_id", how="left").with_columns(
        pl.col("doc_id")
        .sort_by(
            [pl.col("published_date").is_null(), "published_date", pl.col("char_count") * -1, "source_path"]
        )
        .first()
        .over("dup_group")
        .alias("duplicate_of")
    )
    canonical = ranked.select(
        pl.col("doc_id").alias("duplicate_of"),
        pl.col("text_sha256").alias("_canonical_sha"),
        pl.col("minhash").alias("_canonical_minhash"),
    )
    marked = ranked.with_columns(
        pl.when(pl.col("duplicate_of") != pl.col("doc_id")).then(pl.col("duplicate_of")).otherwise(None)
    ).join(canonical, on="duplicate_of", how="left")
    similarity = [
        None if sha is None else 1.0 if sha == own else estimated_jaccard(mine or b"", theirs or b"")
        for own, sha, mine, theirs in marked.select(
            "text_sha256", "_canonical_sha", "minhash", "_canonical_minhash"
        ).iter_rows()
    ]
    return marked.with_columns(pl.Series("duplicate_similarity", similarity, dtype=pl.Float64)).drop(
        "dup_group", "_canonical_sha", "_canonical_minhash"
    )
