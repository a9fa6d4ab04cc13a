"""Precision, recall and F1 of a release against gold annotations (the dev-set format).

Events match on PLOVER type plus source and target country (in either order for AGREE,
CONSULT and COOPERATE), as multisets per document; negated events are not claims that something
happened and are left out. Date accuracy is measured over matched events (same string at the
gold's precision, null equals null). Actors match per document on Wikidata id, else on kind
and country plus name (surname for persons).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

UNORDERED = {"AGREE", "CONSULT", "COOPERATE"}
_STOP_WORDS = {"of", "the", "and", "for", "on", "in"}


@dataclass
class Score:
    """Counts behind precision, recall and F1."""

    true_positive: int = 0
    predicted: int = 0
    gold: int = 0
    dates_correct: int = 0
    extra: dict = field(default_factory=dict)

    def add(self, other: Score) -> None:
        """Accumulate another score's counts."""
        self.true_positive += other.true_positive
        self.predicted += other.predicted
        self.gold += other.gold
        self.dates_correct += other.dates_correct

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def date_accuracy(self) -> float:
        return self.dates_correct / self.true_positive if self.true_positive else 0.0


def event_key(event_type: str, source: str, target: str) -> tuple[str, str, str]:
    """The matching key of an event: undirected types ignore the order of the dyad."""
    if event_type in UNORDERED:
        source, target = sorted((source, target))
    return event_type, source, target


def date_string(value, precision: str | None) -> str | None:
    """An event date at its precision, as the gold writes it (YYYY, YYYY-MM or YYYY-MM-DD)."""
    if value is None or precision is None:
        return None
    text = value.isoformat()
    return {"day": text, "month": text[:7], "year": text[:4]}.get(precision, text)


def _match_dates(gold: list[str | None], predicted: list[str | None]) -> int:
    remaining = Counter(predicted)
    correct = 0
    for value in gold:
        if remaining[value] > 0:
            remaining[value] -= 1
            correct += 1
    return correct


def score_events(gold_events: list[dict], predicted: list[dict]) -> Score:
    """Multiset match of one document's events: gold dicts (type/source/target/date), predicted rows."""
    gold_by_key: dict[tuple, list] = defaultdict(list)
    for event in gold_events:
        gold_by_key[event_key(event["type"], event["source"], event["target"])].append(event.get("date"))
    pred_by_key: dict[tuple, list] = defaultdict(list)
    for row in predicted:
        key = event_key(row["event_type"], row["source_country"], row["target_country"])
        pred_by_key[key].append(date_string(row["event_date"], row["date_precision"]))
    score = Score(predicted=len(predicted), gold=len(gold_events))
    for key, gold_dates in gold_by_key.items():
        pred_dates = pred_by_key.get(key, [])
        matched = min(len(gold_dates), len(pred_dates))
        score.true_positive += matched
        score.dates_correct += min(matched, _match_dates(gold_dates, pred_dates))
    return score


def _norm_name(name: str) -> str:
    """Case-folded words of a name, any script ("Дмитрий Песков" keeps its letters)."""
    return " ".join(re.sub(r"[^\w ]", " ", name.casefold()).split())


def _names_of(predicted: dict) -> list[str]:
    """A predicted actor's name, code and aliases in every language, normalised."""
    names = [predicted.get("name") or "", predicted.get("code") or "", *(predicted.get("aliases") or [])]
    return [normalised for normalised in (_norm_name(name) for name in names) if normalised]


def _actor_matches(gold: dict, predicted: dict) -> bool:
    """Same Wikidata id; or same kind and country, and a name of the gold actor among the predicted one's names.

    Gold names may be written in any language and transliteration ("Dmitri Peskow", "ОДКБ"), so
    they are compared with every alias of the predicted actor: a person matches on the surname,
    an organisation on a shared name word (half of the shorter name at least).
    """
    if gold.get("wikidata") and predicted.get("wikidata_id"):
        return gold["wikidata"] == predicted["wikidata_id"]
    if gold["kind"] != predicted["kind"]:
        return False
    if gold["kind"] == "STATE":
        return gold.get("country") == predicted.get("country")
    if gold.get("country") and predicted.get("country") and gold["country"] != predicted["country"]:
        return False
    gold_name = _norm_name(gold["name"])
    if gold["kind"] == "PERSON":
        surname = gold_name.split()[-1:]
        return bool(surname) and any(name.split()[-1:] == surname for name in _names_of(predicted))
    gold_words = set(gold_name.split()) - _STOP_WORDS
    for name in _names_of(predicted):
        words = set(name.split()) - _STOP_WORDS
        # Overlap coefficient: "Union State" names the "Union State of Russia and Belarus".
        if gold_words and words and len(gold_words & words) / min(len(gold_words), len(words)) >= 0.5:
            return True
    return False


def score_actors(gold_actors: list[dict], predicted: list[dict]) -> Score:
    """Greedy one-to-one match of one document's actors."""
    unmatched = list(predicted)
    score = Score(predicted=len(predicted), gold=len(gold_actors))
    for gold in gold_actors:
        hit = next((p for p in unmatched if _actor_matches(gold, p)), None)
        if hit is not None:
            unmatched.remove(hit)
            score.true_positive += 1
    return score


def unresolved_persons(mentions: pl.DataFrame) -> list[dict]:
    """Persons found without a dictionary entry, one per surname, as predicted actors."""
    persons: dict[str, dict] = {}
    rows = mentions.filter(pl.col("actor_id").is_null() & (pl.col("label") == "PERSON"))
    for row in rows.sort("char_start").iter_rows(named=True):
        surname = _norm_name(row["text"]).split()[-1:]
        if surname:
            found = persons.setdefault(surname[0], {"name": row["text"], "kind": "PERSON", "country": None})
            found["country"] = found["country"] or row.get("country")
    return list(persons.values())


def evaluate_release(release: Path, gold_path: Path) -> dict[str, dict[str, Score]]:
    """{"events"|"actors": {language or "overall": Score}} for a release against a gold file."""
    documents = pl.read_parquet(release / "parquet" / "documents.parquet")
    # The gold holds what happened or was formally announced, not denials or plans and forecasts.
    events = pl.read_parquet(release / "parquet" / "events.parquet").filter(
        ~pl.col("negated") & (pl.col("status") != "planned")
    )
    mentions = pl.read_parquet(release / "parquet" / "mentions.parquet")
    actors = pl.read_parquet(release / "parquet" / "actors.parquet")
    doc_ids = {Path(row["source_path"]).name: row["doc_id"] for row in documents.iter_rows(named=True)}
    result: dict[str, dict[str, Score]] = {"events": defaultdict(Score), "actors": defaultdict(Score)}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        doc_id = doc_ids.get(gold["doc"])
        doc_events = events.filter(pl.col("doc_id") == doc_id).to_dicts() if doc_id else []
        actor_ids = (
            mentions.filter(pl.col("doc_id") == doc_id)["actor_id"].drop_nulls().unique().to_list()
            if doc_id
            else []
        )
        doc_actors = actors.filter(pl.col("actor_id").is_in(actor_ids)).to_dicts()
        doc_actors += unresolved_persons(mentions.filter(pl.col("doc_id") == doc_id)) if doc_id else []
        for table, score in (
            ("events", score_events(gold["events"], doc_events)),
            ("actors", score_actors(gold["actors"], doc_actors)),
        ):
            result[table][gold["lang"]].add(score)
            result[table]["overall"].add(score)
    return {table: dict(scores) for table, scores in result.items()}


def format_document_scores(scores: dict[str, tuple[int, int]]) -> str:
    """One line: accuracy of each document field."""
    parts = [f"{name} {correct}/{total}" for name, (correct, total) in scores.items()]
    return "documents: " + ", ".join(parts)


def score_documents(gold_path: Path, documents: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """(correct, total) per document field the gold gives: language, published date, duplicate_of.

    A gold null counts as correct only when the pipeline also left the field null.
    """
    by_name = {Path(row["source_path"]).name: row for row in documents.iter_rows(named=True)}
    names = {row["doc_id"]: Path(row["source_path"]).name for row in documents.iter_rows(named=True)}
    counts = {"language": [0, 0], "published_date": [0, 0], "duplicate_of": [0, 0]}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        row = by_name.get(gold["doc"], {})
        published = row.get("published_date")
        found = {
            "language": (row.get("language"), gold.get("lang")),
            "published_date": (published.isoformat() if published else None, gold.get("published")),
            "duplicate_of": (names.get(row.get("duplicate_of")), gold.get("duplicate_of")),
        }
        for name, (predicted, expected) in found.items():
            counts[name][0] += predicted == expected
            counts[name][1] += 1
    return {name: (correct, total) for name, (correct, total) in counts.items()}


def format_report(result: dict[str, dict[str, Score]]) -> str:
    """A plain-text table of the scores."""
    lines = [
        f"{'table':8} {'language':9} {'gold':>5} {'pred':>5} {'tp':>4} {'P':>6} {'R':>6} {'F1':>6} {'date_acc':>9}"
    ]
    for table, scores in result.items():
        for language in sorted(scores, key=lambda k: (k == "overall", k)):
            s = scores[language]
            date = f"{s.date_accuracy:9.3f}" if table == "events" else f"{'':>9}"
            lines.append(
                f"{table:8} {language:9} {s.gold:5d} {s.predicted:5d} {s.true_positive:4d} "
                f"{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {date}"
            )
    return "\n".join(lines)
