"""The benchmark corpus generator (bench/corpus.py): deterministic, sized and mixed as asked."""

import json

import polars as pl

from bench.corpus import ARTICLE_CHARS, Pools, article, generate, load_pools


def _pools() -> Pools:
    return Pools(
        fragments={
            "de": [f"Russland lieferte Belarus im Jahr 20{i:02d} neue Raketen" for i in range(30)],
            "en": [f"Russia sent {i} tanks to Belarus after long talks" for i in range(30)],
            "ru": [f"Россия передала Белоруссии {i} танков после переговоров" for i in range(30)],
        },
        headlines={"de": ["Neue Raketen"], "en": ["New missiles"], "ru": ["Новые ракеты"]},
        boilerplate={"de": ["Teilen"], "en": ["Share this article"], "ru": ["Поделиться"]},
    )


def test_articles_have_the_asked_length_and_boilerplate():
    import random

    title, text = article(random.Random(1), _pools(), "en")
    assert title == "New missiles" and text.startswith("Share this article")
    assert ARTICLE_CHARS <= len(text) < ARTICLE_CHARS * 2


def test_generation_is_deterministic_and_mixes_kinds(tmp_path):
    first = generate(_pools(), tmp_path / "a", 400, seed=3, duplicate_rate=0.1, bad_rate=0.05)
    second = generate(_pools(), tmp_path / "b", 400, seed=3, duplicate_rate=0.1, bad_rate=0.05)
    assert first == second and sum(first.values()) == 400
    assert first["near_duplicates"] > 10 and first["bad_inputs"] > 5
    names = sorted(path.relative_to(tmp_path / "a") for path in (tmp_path / "a").rglob("*"))
    assert names == sorted(path.relative_to(tmp_path / "b") for path in (tmp_path / "b").rglob("*"))
    for name in names:
        if (tmp_path / "a" / name).is_file():
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert [path.name for path in (tmp_path / "a").iterdir()] == ["batch_00000"]  # one crawl batch
    records = [
        json.loads(line)
        for line in (tmp_path / "a" / "batch_00000" / "articles.jsonl").read_text().splitlines()
    ]
    assert {"id", "url", "outlet", "title", "published", "language", "text"} <= set(records[0])
    assert {record["language"] for record in records} == {"de", "en", "ru"}


def test_pools_come_from_a_documents_table(tmp_path):
    frame = pl.DataFrame(
        {
            "doc_id": ["d1", "d2"],
            "duplicate_of": [None, None],
            "language": ["de", "en"],
            "title": ["Titel", "Title"],
            "text": [
                "Russland lieferte Raketen an Belarus, sagte der Minister am Freitag.",
                "Russia sent many tanks to Belarus, officials said on Monday.",
            ],
            "removed_lines": [[{"line": 1, "reason": "share_prompt", "text": "Teilen"}], []],
        }
    )
    frame = pl.concat(
        [
            frame,
            pl.DataFrame(
                {
                    "doc_id": ["d3"],
                    "duplicate_of": [None],
                    "language": ["ru"],
                    "title": [None],
                    "text": ["Россия передала Белоруссии ракеты и танки."],
                    "removed_lines": [[]],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    frame.write_parquet(tmp_path / "documents.parquet")
    pools = load_pools(tmp_path / "documents.parquet")
    assert "Russland lieferte Raketen an Belarus" in pools.fragments["de"]
    assert pools.boilerplate["de"] == ["Teilen"]
