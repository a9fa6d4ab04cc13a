"""Benchmark near-duplicate detection alone on N generated articles (the dedup target of issue 7).

Usage:  python bench/dedup.py --n 100000 [--seed 7]

Generates the corpus as bench/run.py does (bench/corpus.py, 5 % near-duplicates), computes each
article's MinHash signature as the clean stage does (timed separately: in the pipeline it is part
of cleaning, spread over the batches), then times ``mark_duplicates`` over all of them: the work
of the release job's ``core_documents`` step. Prints seconds, the duplicates found and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate, load_pools  # noqa: E402


def main() -> int:
    import polars as pl

    from pipeline.lib.dedup import mark_duplicates, signature
    from pipeline.lib.settings import Settings
    from pipeline.lib.text.clean import text_fingerprint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--documents", type=Path, required=True, help="documents.parquet of a release of the sample"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alliance-dedup-") as work:
        counts = generate(load_pools(args.documents), Path(work), args.n, seed=args.seed)
        rows = []
        started = time.perf_counter()
        for path in sorted(Path(work).glob("*/articles.jsonl")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                record = json.loads(line)
                rows.append(
                    {
                        "doc_id": f"{path.parent.name}#{number}",
                        "source_path": f"{path.parent.name}/articles.jsonl#{number}",
                        "published_date": record["published"],
                        "char_count": len(record["text"]),
                        "text_sha256": text_fingerprint(record["text"]),
                        "minhash": signature(record["text"]),
                    }
                )
        signing = time.perf_counter() - started
    documents = pl.DataFrame(rows).with_columns(pl.col("published_date").str.to_date())
    started = time.perf_counter()
    marked = mark_duplicates(documents, Settings().near_duplicate_threshold)
    seconds = time.perf_counter() - started
    found = marked["duplicate_of"].is_not_null().sum()
    print(f"corpus: {counts}; {documents.height} articles signed in {signing:.1f} s")
    print(
        f"mark_duplicates: {seconds:.1f} s, {found} marked as copies ({counts['near_duplicates']} generated)"
    )
    print(
        f"dedup_s={seconds:.1f} peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
