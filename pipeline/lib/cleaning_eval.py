"""Score the boilerplate remover line by line against hand labels (eval/boilerplate/labels.jsonl).

Each labelled corpus is cleaned the way the pipeline cleans a batch (same reading, same outlet
line counts across the corpus), and every non-blank line's decision is compared with its label.
The positive class is "drop": precision is the share of dropped lines that are boilerplate,
recall the share of boilerplate lines that were dropped. Lines of article text that were dropped
("lost") are listed, since those are the errors a user cares about most.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.lib.evaluation import Score
from pipeline.lib.ingest.inputs import RawDocument, list_input_files, read_inputs
from pipeline.lib.settings import Settings
from pipeline.lib.text.clean import prepare_body
from pipeline.lib.text.documents import clean_rows


def _count(score: Score, label: str, dropped: bool) -> None:
    """Count one line: "drop" is the positive class."""
    score.gold += label == "drop"
    score.predicted += dropped
    score.true_positive += dropped and label == "drop"


@dataclass
class CleaningReport:
    """Scores per corpus and overall, recall per kind of boilerplate, and the errors."""

    by_corpus: dict[str, Score] = field(default_factory=dict)
    by_kind: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    lost_lines: list[str] = field(default_factory=list)  # article lines dropped
    missed_lines: list[str] = field(default_factory=list)  # boilerplate lines kept

    @property
    def overall(self) -> Score:
        """All corpora together."""
        total = Score()
        for score in self.by_corpus.values():
            total.add(score)
        return total


def _line_sha(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()[:10]


def decisions_for_folder(folder: Path, settings: Settings) -> dict[str, list[tuple[str, str | None]]]:
    """Per source path, every non-blank line with the reason it was dropped (None when kept)."""
    files, _ = list_input_files(folder, tuple(settings.ignore_patterns))
    raws = [asdict(r) for r in read_inputs(files, folder, 1 << 30) if isinstance(r, RawDocument)]
    for raw in raws:
        raw["input_file"] = raw["source_path"].split("#", 1)[0]
    batch = clean_rows(
        raws, tuple(settings.languages), settings.min_article_chars, None, settings.outlet_repeat_min_docs
    )
    removed = {
        doc["source_path"]: {r["line"]: r["reason"] for r in doc["removed_lines"]} for doc in batch.documents
    }
    rejected = {row["source_path"] for row in batch.rejects}
    result = {}
    for raw in raws:
        text = prepare_body(raw["body"], raw["body_format"]).text
        lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        reasons = removed.get(raw["source_path"], {})
        result[raw["source_path"]] = [
            (line, "no_article_text" if raw["source_path"] in rejected else reasons.get(number))
            for number, line in lines
        ]
    return result


def evaluate_cleaning(labels_path: Path, folders: dict[str, Path], settings: Settings) -> CleaningReport:
    """Score the cleaner on the labelled documents of ``folders`` (corpus name -> folder)."""
    labelled: dict[str, list[dict]] = defaultdict(list)
    for line in labels_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            labelled[record["corpus"]].append(record)
    report = CleaningReport()
    for corpus, records in sorted(labelled.items()):
        folder = folders.get(corpus)
        if folder is None or not folder.is_dir():
            continue
        decisions = decisions_for_folder(folder, settings)
        score = report.by_corpus.setdefault(corpus, Score())
        for record in records:
            lines = decisions.get(record["source_path"])
            if lines is None or len(lines) != len(record["lines"]):
                raise ValueError(
                    f"{corpus}:{record['source_path']}: labels do not match the document's lines"
                )
            for label, (text, reason) in zip(record["lines"], lines, strict=True):
                if label["sha1"] != _line_sha(text):
                    raise ValueError(f"{corpus}:{record['source_path']} line {label['i']}: text changed")
                dropped = reason is not None
                _count(score, label["label"], dropped)
                _count(report.by_kind[label["kind"]], label["label"], dropped)
                where = f"{corpus}:{record['source_path']}#{label['i']} [{label['kind']}]"
                if dropped and label["label"] == "keep":
                    report.lost_lines.append(f"{where} dropped as {reason}: {text[:100]}")
                elif not dropped and label["label"] == "drop":
                    report.missed_lines.append(f"{where} kept: {text[:100]}")
    return report


def format_cleaning_report(report: CleaningReport) -> str:
    """A plain-text report."""
    out = ["Boilerplate remover, line level (positive class: drop)"]
    rows = [*sorted(report.by_corpus.items()), ("all", report.overall)]
    for name, score in rows:
        out.append(
            f"  {name:8s} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}  "
            f"(labelled drop {score.gold}, dropped {score.predicted}, both {score.true_positive})"
        )
    counts = Counter({kind: s.gold for kind, s in report.by_kind.items()})
    out.append(
        "  recall per kind of boilerplate: "
        + ", ".join(
            f"{kind} {report.by_kind[kind].true_positive}/{n}" for kind, n in counts.most_common() if n
        )
    )
    out.append(f"Article lines lost ({len(report.lost_lines)}):")
    out += [f"  {line}" for line in report.lost_lines]
    out.append(f"Boilerplate lines kept ({len(report.missed_lines)}):")
    out += [f"  {line}" for line in report.missed_lines]
    return "\n".join(out)
