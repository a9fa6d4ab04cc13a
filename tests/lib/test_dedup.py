"""Duplicates: exact and near copies grouped by MinHash LSH, one canonical document per group."""

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipeline.lib import dedup
from pipeline.lib.dedup import estimated_jaccard, mark_duplicates, near_duplicate_pairs, shingles, signature
from pipeline.lib.text.clean import text_fingerprint

ARTICLE = (
    "Russian President Vladimir Putin and North Korean leader Kim Jong Un signed a comprehensive "
    "strategic partnership treaty in Pyongyang on Wednesday, pledging mutual assistance if either "
    "country is attacked. The agreement was signed during Putin's first visit to North Korea in 24 "
    "years. Putin said the treaty provided for military assistance in case of aggression against one "
    "of the parties. Washington and Seoul have voiced alarm at the deepening military ties between "
    "Moscow and Pyongyang, and accused North Korea of supplying artillery shells to Russia."
)
SAME_STORY = (
    "Kim Jong Un welcomed Vladimir Putin at the airport before dawn. The two leaders then agreed on a "
    "partnership that obliges each side to help the other against an attack, according to state "
    "media. South Korea's presidential office called the pact a threat and said it would review "
    "its arms export rules. Analysts in Seoul expect closer cooperation on missiles and satellites."
)


def _frame(rows):
    return pl.DataFrame(
        [
            {
                "doc_id": doc_id,
                "source_path": path,
                "published_date": published,
                "char_count": len(text),
                "text_sha256": text_fingerprint(text),
                "minhash": signature(text),
            }
            for doc_id, path, published, text in rows
        ]
    )


def test_shingles_fold_case_and_punctuation():
    assert shingles("A b, c D e f") == shingles("a B c d E F!")
    assert len(shingles("one two three four five six")) == 2
    assert shingles("kurz") == {b"kurz"} and shingles("") == set()


def test_signature_is_deterministic_and_estimates_jaccard():
    assert signature(ARTICLE) == signature(ARTICLE)
    assert estimated_jaccard(signature(ARTICLE), signature(ARTICLE)) == 1.0
    assert estimated_jaccard(signature(ARTICLE), signature(SAME_STORY)) < 0.1


def test_republished_copy_is_linked_but_same_story_report_is_not():
    republished = "Updated: Putin and Kim sign pact\n" + ARTICLE.replace("on Wednesday", "early on Wednesday")
    frame = _frame(
        [
            ("a", "wire.txt", date(2024, 6, 19), ARTICLE),
            ("b", "ledger.txt", date(2024, 6, 20), republished + "\nFollow us on X"),
            ("c", "other.txt", date(2024, 6, 19), SAME_STORY),
        ]
    )
    marked = {row["doc_id"]: row for row in mark_duplicates(frame, 0.4).iter_rows(named=True)}
    assert marked["a"]["duplicate_of"] is None
    assert marked["b"]["duplicate_of"] == "a" and 0.4 <= marked["b"]["duplicate_similarity"] < 1.0
    assert marked["c"]["duplicate_of"] is None and marked["c"]["duplicate_similarity"] is None


@pytest.mark.parametrize(
    ("dates", "lengths_extra", "canonical"),
    [
        ((date(2024, 6, 20), date(2024, 6, 19)), ("", ""), "b"),  # earliest published wins
        ((date(2024, 6, 19), date(2024, 6, 19)), ("", " Extra words."), "b"),  # then the longest
        ((None, date(2024, 6, 21)), ("", ""), "b"),  # a known date beats an unknown one
        ((None, None), ("", ""), "a"),  # then the smaller source path
    ],
)
def test_canonical_rule(dates, lengths_extra, canonical):
    frame = _frame(
        [
            ("a", "a.txt", dates[0], ARTICLE + lengths_extra[0]),
            ("b", "b.txt", dates[1], ARTICLE + lengths_extra[1]),
        ]
    )
    marked = mark_duplicates(frame, 0.4)
    assert marked.filter(pl.col("duplicate_of").is_null())["doc_id"].to_list() == [canonical]
    copy = marked.filter(pl.col("duplicate_of").is_not_null()).row(0, named=True)
    assert copy["duplicate_of"] == canonical
    expected = 1.0 if lengths_extra == ("", "") else copy["duplicate_similarity"]
    assert copy["duplicate_similarity"] == expected > 0.4


def test_copies_of_copies_form_one_group():
    first = ARTICLE
    second = ARTICLE + " A closing sentence added by the second outlet for its readers."
    third = second.replace("Wednesday", "Wednesday morning")
    frame = _frame([("a", "1.txt", None, first), ("b", "2.txt", None, second), ("c", "3.txt", None, third)])
    marked = mark_duplicates(frame, 0.4)
    assert marked["duplicate_of"].drop_nulls().unique().to_list() == [
        marked.filter(pl.col("duplicate_of").is_null())["doc_id"][0]
    ]


def test_candidate_search_is_not_all_pairs():
    """With LSH, distinct documents are not compared with each other: no quadratic work."""
    items = [
        (f"d{i:04d}", signature(f"document {i} " + " ".join(f"w{i}x{j}" for j in range(40))))
        for i in range(400)
    ]
    assert near_duplicate_pairs(items, 0.4) == []
    signatures = np.vstack([np.frombuffer(data, dtype=np.uint32) for _, data in items])
    assert len(dedup.candidate_pairs(signatures, *dedup.band_parameters(0.4))) < 400  # all pairs: 79,800


def test_banding_finds_the_pairs_datasketch_finds():
    """The column-wise banding gives the candidates of datasketch's own MinHashLSH."""
    from datasketch import MinHashLSH

    texts = [
        ARTICLE,
        SAME_STORY,
        ARTICLE + " One more sentence for the copy.",
        ARTICLE.replace("Putin", "he"),
    ]
    texts += [
        f"Unrelated report number {i} about harbour fees and ferry timetables in spring" for i in range(30)
    ]
    items = [(f"d{i:02d}", signature(text)) for i, text in enumerate(texts)]
    lsh, expected = MinHashLSH(threshold=0.4, num_perm=dedup.NUM_PERM), set()
    for key, data in items:
        minhash = dedup._minhash(data, dedup.NUM_PERM)
        expected |= {(min(key, other), max(key, other)) for other in lsh.query(minhash)}
        lsh.insert(key, minhash)
    signatures = np.vstack([np.frombuffer(data, dtype=np.uint32) for _, data in items])
    found = {
        (items[a][0], items[b][0]) for a, b in dedup.candidate_pairs(signatures, *dedup.band_parameters(0.4))
    }
    assert found == expected and ("d00", "d02") in found


def test_canonical_over_all_batches_is_canonical_within_its_batch():
    """Batches are analysed without their within-batch copies; copies across batches are marked when
    the batches are combined. That is only sound if the canonical document of the whole corpus is
    never a copy within its own batch: marking more documents only merges groups, and the
    canonical one is the first of its group by the same order."""
    copy = ARTICLE + " A closing sentence added by the second outlet for its readers."
    late_copy = copy.replace("Wednesday", "Wednesday morning")
    rows = [
        ("a", "day-1/a.txt", date(2024, 6, 20), ARTICLE),
        ("b", "day-1/b.txt", date(2024, 6, 21), copy),
        ("c", "day-1/c.txt", date(2024, 6, 22), SAME_STORY),
        ("d", "day-2/d.txt", date(2024, 6, 19), late_copy),  # earlier than a: canonical overall
        ("e", "day-2/e.txt", date(2024, 6, 23), ARTICLE),  # exact copy of a, in another batch
        ("f", "day-2/f.txt", None, SAME_STORY.upper()),
    ]
    overall = mark_duplicates(_frame(rows), 0.4)
    canonical = set(overall.filter(pl.col("duplicate_of").is_null())["doc_id"])
    assert "d" in canonical and not {"a", "b", "e"} & canonical
    for batch in ("day-1", "day-2"):
        within = mark_duplicates(_frame([row for row in rows if row[1].startswith(batch)]), 0.4)
        batch_canonical = set(within.filter(pl.col("duplicate_of").is_null())["doc_id"])
        assert {
            doc for doc in canonical if any(r[0] == doc and r[1].startswith(batch) for r in rows)
        } <= batch_canonical
