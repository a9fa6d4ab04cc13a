"""Benchmark the whole pipeline on a generated corpus: seconds and articles/s per stage, peak memory.

Usage:  python bench/run.py --n 2000 [--seed 7] [--workdir DIR] [--keep]

Steps: a release of the bundled sample gives the sentence and boilerplate pools (bench/corpus.py);
N inputs are generated in crawl batches of 1,000 (one partition each); the pipeline runs once
over them (full refresh) as `alliance-events run` does: the partition job per batch,
``ALLIANCE_PARTITION_WORKERS`` batches at a time (default 2), then the release job. Step times
are read from the runs' event logs and summed over batches, so a stage's articles/s is what one
worker process achieves; end to end is wall-clock time. Bare spaCy (blank pipeline + lemmatizer +
the actor span ruler) is timed on the same sentences as the NLP floor; then 1% new articles
arrive as a new batch and the pipeline runs again. The last line is machine-readable:

    end_to_end_articles_per_s=<x> nlp_vs_floor=<ratio> peak_rss_mb=<m> dedup_s=<s>
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate, load_pools  # noqa: E402

# Dagster steps grouped into the stages the README describes (checks end in "_suite").
STAGES = {
    "ingest": ("ingest",),
    "clean": ("clean", "core_quarantine"),
    "dedup": ("core_documents",),
    "nlp (entities)": ("entities", "core_mentions"),
    "events": ("code_events", "core_events"),
    "quality": ("_suite",),
    "publish": ("out_release",),
}


def _run_pipeline(
    input_dir: Path, output_dir: Path, full_refresh: bool
) -> tuple[float, dict[str, float], dict[str, dict[str, float]], bool]:
    """(wall seconds, seconds per step summed over runs, step seconds per batch, success)."""
    import dagster as dg

    from pipeline.lib.settings import Settings
    from pipeline.runner import run_folder

    os.environ["ALLIANCE_INPUT_DIR"] = str(input_dir)
    os.environ["ALLIANCE_OUTPUT_DIR"] = str(output_dir)
    os.environ["ALLIANCE_FULL_REFRESH"] = "true" if full_refresh else "false"
    with tempfile.TemporaryDirectory() as home, dg.DagsterInstance.local_temp(home) as instance:
        started = time.perf_counter()
        outcome = run_folder(Settings.from_env(), instance)
        wall = time.perf_counter() - started
        steps: dict[str, float] = {}
        per_batch: dict[str, dict[str, float]] = {}
        for run_id in outcome.run_ids:
            batch = instance.get_run_by_id(run_id).tags.get("dagster/partition", "")
            for stat in instance.get_run_step_stats(run_id):
                seconds = (stat.end_time or 0) - (stat.start_time or 0)
                steps[stat.step_key] = steps.get(stat.step_key, 0.0) + seconds
                per_batch.setdefault(batch, {})[stat.step_key] = seconds
    return wall, steps, per_batch, outcome.ok


def _stage_seconds(steps: dict[str, float]) -> dict[str, float]:
    def in_stage(key: str, parts: tuple[str, ...]) -> bool:
        return any(key == part or (part.startswith("_") and key.endswith(part)) for part in parts)

    return {
        stage: sum(seconds for key, seconds in steps.items() if in_stage(key, parts))
        for stage, parts in STAGES.items()
    }


def _floor_seconds(work_dir: Path, batch: str, batch_size: int) -> tuple[float, int]:
    """Bare spaCy on one batch's sentences: blank pipeline, lemmatizer and the actor span ruler."""
    import polars as pl
    import spacy

    import pipeline.lib.nlp.components  # noqa: F401  (registers alliance_norms)
    from pipeline.lib.actors.dictionary import load_actor_dictionary
    from pipeline.lib.actors.patterns import actor_patterns
    from pipeline.lib.nlp.components import ACTOR_SPANS
    from pipeline.lib.nlp.pipelines import LEMMATIZER_FACTORIES, LEMMATIZER_MODES

    texts_of = pl.read_parquet(
        work_dir / "tables" / "_clean_documents" / f"{batch}.parquet", columns=["doc_id", "text"]
    )
    sentences = (
        pl.read_parquet(work_dir / "tables" / "_sentences" / f"{batch}.parquet")
        .join(texts_of, on="doc_id")
        .with_columns(
            pl.col("text")
            .str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start"))
            .alias("sentence")
        )
    )
    text_column = "sentence"
    total, count = 0.0, 0
    for language, texts in sentences.group_by("language"):
        language = language[0]
        if language not in LEMMATIZER_MODES:
            continue
        nlp = spacy.blank(language)
        # The pipeline's own lemmatizer (for Russian spaCy's, remembering each form's lemmas).
        factory = LEMMATIZER_FACTORIES.get(language, "lemmatizer")
        nlp.add_pipe(factory, name="lemmatizer", config={"mode": LEMMATIZER_MODES[language]})
        nlp.get_pipe("lemmatizer").initialize(nlp=nlp)
        nlp.add_pipe("alliance_norms")  # NORM = lowercase lemma, what the actor patterns match
        ruler = nlp.add_pipe(
            "span_ruler", config={"spans_key": ACTOR_SPANS, "phrase_matcher_attr": "NORM", "validate": False}
        )
        ruler.add_patterns(actor_patterns(load_actor_dictionary(), language))
        batch = texts[text_column].to_list()
        started = time.perf_counter()
        for _ in nlp.pipe(batch, batch_size=batch_size):
            pass
        total += time.perf_counter() - started
        count += len(batch)
    return total, count


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="inputs to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="alliance-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # 1. The sample release: pools of fragments and boilerplate.
        sample_out = work / "sample_out"
        _, _, _, ok = _run_pipeline(ROOT / "data" / "sample", sample_out, full_refresh=True)
        if not ok:
            print("the sample run failed", file=sys.stderr)
            return 1
        pools = load_pools(sample_out / "latest" / "parquet" / "documents.parquet")
        # 2. The corpus.
        corpus = work / "input"
        shutil.rmtree(corpus, ignore_errors=True)
        started = time.perf_counter()
        counts = generate(pools, corpus, args.n, seed=args.seed)
        size = sum(path.stat().st_size for path in corpus.rglob("*") if path.is_file())
        print(f"corpus: {counts} in {time.perf_counter() - started:.1f} s, {size / 1e6:.1f} MB")
        # 3. The full run.
        output = work / "out"
        shutil.rmtree(output, ignore_errors=True)
        wall, steps, per_batch, ok = _run_pipeline(corpus, output, full_refresh=True)
        if not ok:
            print("the benchmark run failed", file=sys.stderr)
            return 1
        stages = _stage_seconds(steps)
        print(f"\nfull run over {args.n} inputs: {wall:.1f} s, {args.n / wall:.1f} articles/s")
        print(f"{'stage':<16}{'seconds':>10}{'articles/s':>12}")
        for stage, seconds in stages.items():
            rate = args.n / seconds if seconds else float("inf")
            print(f"{stage:<16}{seconds:>10.1f}{rate:>12.1f}")
        # 4. The NLP floor on the same sentences: those of one batch, the third when there is one
        # (a worker's second batch, so that loading the pipelines is not counted).
        from pipeline.lib.settings import Settings

        batches = sorted(key for key in per_batch if key)  # the release run has no batch
        measured = batches[min(2, len(batches) - 1)]
        floor, sentences = _floor_seconds(output / "_work", measured, Settings().nlp_batch_size)
        nlp_seconds = per_batch[measured].get("entities", 0.0)
        ratio = nlp_seconds / floor if floor else float("nan")
        print(
            f"\nbare spaCy floor on batch {measured}: {floor:.1f} s for {sentences} sentences; "
            f"NLP stage on it {nlp_seconds:.1f} s = {ratio:.2f}x"
        )
        # 5. One percent new articles (a new crawl batch), run again.
        extra = work / "extra"
        shutil.rmtree(extra, ignore_errors=True)
        generate(pools, extra, max(1, args.n // 100), seed=args.seed + 1)
        for folder in sorted(extra.iterdir()):
            folder.rename(corpus / f"new_{folder.name}")
        rerun, _, _, ok = _run_pipeline(corpus, output, full_refresh=False)
        print(
            f"re-run with 1% new inputs: {rerun:.1f} s = {rerun / wall:.1%} of the full run ({'ok' if ok else 'FAILED'})"
        )
        print(f"machine: {_machine()}")
        print(
            f"end_to_end_articles_per_s={args.n / wall:.1f} nlp_vs_floor={ratio:.2f} "
            f"peak_rss_mb={_peak_rss_mb():.0f} dedup_s={stages['dedup']:.1f}"
        )
        return 0
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
