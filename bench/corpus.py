"""A deterministic benchmark corpus built from the sample corpus's own sentences and boilerplate.

The sample release (``documents.parquet``: cleaned text plus the removed lines) gives per
language a pool of sentence fragments (split at commas) and a pool of boilerplate lines. Each
article of about 3,000 characters joins random fragments into sentences and paragraphs under a
headline, between a few boilerplate lines, so that articles share vocabulary and actors (as news
on one topic does) but rarely whole sentences (as distinct articles do). Controlled shares of the
articles are near-duplicates of an earlier one (new headline, last paragraph cut) or bad inputs
(empty, binary, malformed JSON, cp1251 bytes). Inputs come in crawl batches, as a landing folder
receives them: one folder per 1,000 inputs (``batch_00000/``, one partition of the pipeline)
holding ``articles.jsonl`` with crawler metadata (outlet, published date, url) and the bad
inputs of that batch as files of their own.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

ARTICLE_CHARS = 3000
BATCH = 1000
LANGUAGES = {"de": 0.35, "en": 0.4, "ru": 0.2, "mixed": 0.05}
OUTLETS = ["Mittelland Kurier", "Meridian Wire", "Northern Dispatch", "Atlas Daily", "Южный обозреватель"]
_FIRST_DAY = date(2022, 1, 1)
_DAYS = 1400


@dataclass(frozen=True)
class Pools:
    """Per language: sentence fragments, headlines and boilerplate lines from the sample."""

    fragments: dict[str, list[str]]
    headlines: dict[str, list[str]]
    boilerplate: dict[str, list[str]]


def load_pools(documents: Path) -> Pools:
    """Fragments, headlines and boilerplate per language from a release's documents.parquet."""
    frame = pl.read_parquet(documents).filter(pl.col("duplicate_of").is_null())
    fragments: dict[str, list[str]] = {}
    headlines: dict[str, list[str]] = {}
    boilerplate: dict[str, list[str]] = {}
    for row in frame.iter_rows(named=True):
        language = row["language"] if row["language"] in ("de", "en", "ru") else "en"
        if row["title"]:
            headlines.setdefault(language, []).append(row["title"])
        for sentence in re.split(r"(?<=[.!?])\s+", row["text"] or ""):
            for part in sentence.strip().rstrip(".!?").split(", "):
                if len(part) > 20:
                    fragments.setdefault(language, []).append(part)
        for removed in row["removed_lines"] or []:
            if removed["text"].strip():
                boilerplate.setdefault(language, []).append(removed["text"].strip())
    for language in ("de", "en", "ru"):
        if not fragments.get(language):
            raise ValueError(f"the sample has no {language} text to build articles from")
        boilerplate.setdefault(language, ["Share this article"])
        headlines.setdefault(language, fragments[language][:5])
    return Pools(fragments, headlines, boilerplate)


def _sentence(rng: random.Random, fragments: list[str]) -> str:
    parts = rng.sample(fragments, k=min(len(fragments), rng.choice((1, 1, 2, 2, 3))))
    text = ", ".join(parts)
    # Numbers vary between articles, as figures in news do.
    text = re.sub(r"\d+", lambda m: str(rng.randint(2, 9) * 10 ** (len(m.group()) - 1)), text)
    return text[:1].upper() + text[1:] + "."


def article(rng: random.Random, pools: Pools, language: str) -> tuple[str, str]:
    """(title, text) of one article of about ARTICLE_CHARS characters."""
    languages = ["de", "ru"] if language == "mixed" else [language]
    title = rng.choice(pools.headlines[languages[0]])
    lines = [rng.choice(pools.boilerplate[languages[0]]) for _ in range(rng.randint(1, 3))]
    lines += [title, ""]
    length = 0
    while length < ARTICLE_CHARS:
        paragraph = " ".join(
            _sentence(rng, pools.fragments[rng.choice(languages)]) for _ in range(rng.randint(2, 4))
        )
        lines += [paragraph, ""]
        length += len(paragraph)
    lines += [rng.choice(pools.boilerplate[languages[0]]) for _ in range(rng.randint(1, 3))]
    return title, "\n".join(lines)


def _near_copy(rng: random.Random, record: dict, pools: Pools) -> dict:
    """A republished copy: a new headline and the last paragraph cut."""
    paragraphs = record["text"].split("\n\n")
    language = record["language"] if record["language"] in pools.headlines else "en"
    title = rng.choice(pools.headlines[language])
    return {**record, "title": title, "text": title + "\n\n" + "\n\n".join(paragraphs[1:-2])}


def _bad_input(rng: random.Random, folder: Path, number: int) -> None:
    kind = number % 4
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bad_{number:07d}"
    if kind == 0:
        path.with_suffix(".txt").write_bytes(b"")
    elif kind == 1:
        path.with_suffix(".txt").write_bytes(bytes(rng.getrandbits(8) for _ in range(2048)))
    elif kind == 2:
        path.with_suffix(".jsonl").write_text('{"text": "Russland liefert\n', encoding="utf-8")
    else:
        path.with_suffix(".txt").write_bytes("Россия и Белоруссия подписали договор.".encode("cp1251"))


def generate(
    pools: Pools,
    folder: Path,
    count: int,
    seed: int = 7,
    duplicate_rate: float = 0.05,
    bad_rate: float = 0.01,
) -> dict[str, int]:
    """Write ``count`` inputs into batch folders in ``folder``; returns how many of each kind were written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"articles": 0, "near_duplicates": 0, "bad_inputs": 0}
    batch: list[str] = []
    recent: list[dict] = []

    def batch_folder(number: int) -> Path:
        return folder / f"batch_{number // BATCH:05d}"

    def flush(number: int) -> None:
        if batch:
            batch_folder(number).mkdir(exist_ok=True)
            (batch_folder(number) / "articles.jsonl").write_text("\n".join(batch) + "\n", encoding="utf-8")
            batch.clear()

    for number in range(count):
        if number and number % BATCH == 0:
            flush(number - 1)
        roll = rng.random()
        if roll < bad_rate:
            _bad_input(rng, batch_folder(number), number)
            counts["bad_inputs"] += 1
            continue
        if roll < bad_rate + duplicate_rate and recent:
            record = _near_copy(rng, rng.choice(recent), pools)
            record["url"] = f"https://news.example.org/copy/{number}"
            counts["near_duplicates"] += 1
        else:
            language = rng.choices(list(LANGUAGES), weights=list(LANGUAGES.values()))[0]
            title, text = article(rng, pools, language)
            record = {
                "id": f"bench-{number:07d}",
                "url": f"https://news.example.org/{number}",
                "outlet": rng.choice(OUTLETS),
                "title": title,
                "published": (_FIRST_DAY + timedelta(days=rng.randrange(_DAYS))).isoformat(),
                "language": "de" if language == "mixed" else language,
                "text": text,
            }
            recent = [*recent, record][-50:]
            counts["articles"] += 1
        batch.append(json.dumps(record, ensure_ascii=False))
    flush(count - 1)
    return counts
