"""The ``alliance-events`` command: run the Dagster pipeline on a folder, evaluate it, query a release.

``run`` runs the partition job for every new or changed ingest batch and then the release job
(see pipeline/runner.py), against the project's Dagster instance (``.dagster/``, so runs show up
in ``dagster dev``): the same jobs as scheduled runs. It exits non-zero when any step or blocking
check fails. ``sources`` lists the raw archive's inputs and forgets chosen ones (retention). ``query`` runs SQL (a string, a file or one of ``sql/examples``) on a release's
DuckDB file, opened read-only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline.lib.settings import PROJECT_ROOT

DEFAULT_DEVSET = PROJECT_ROOT.parent / "shared" / "devset"


def prepare_dagster_home() -> Path:
    """Point DAGSTER_HOME at the project's .dagster/ (unless set) holding a copy of dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster")
    home.mkdir(parents=True, exist_ok=True)
    source = PROJECT_ROOT / "dagster.yaml"
    if source.is_file() and not (home / "dagster.yaml").is_file():
        shutil.copyfile(source, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_pipeline(
    input_dir: Path, output_dir: Path, ephemeral: bool = False, full_refresh: bool = False
) -> tuple[bool, Path | None]:
    """Run every stage for ``input_dir`` and publish into ``output_dir``; (success, release path)."""
    os.environ["ALLIANCE_INPUT_DIR"] = str(input_dir.resolve())
    os.environ["ALLIANCE_OUTPUT_DIR"] = str(output_dir.resolve())
    os.environ["ALLIANCE_FULL_REFRESH"] = "true" if full_refresh else "false"
    from pipeline.lib.settings import Settings
    from pipeline.runner import run_pipeline as run_batches_and_publish

    outcome = run_batches_and_publish(Settings.from_env(), ephemeral=ephemeral)
    latest = output_dir / "latest"
    return outcome.ok, (latest.resolve() if outcome.ok and latest.exists() else None)


def _summary(release: Path) -> str:
    import duckdb

    with duckdb.connect(str(release / "alliance.duckdb"), read_only=True) as con:
        counts = {
            name: con.execute(f'select count(*) from "{name}"').fetchone()[0]  # names are ours
            for name in ("documents", "quarantine", "actors", "mentions", "events", "dyads")
        }
    return "  ".join(f"{name}={count}" for name, count in counts.items())


def command_run(args: argparse.Namespace) -> int:
    """``alliance-events run``."""
    prepare_dagster_home()
    ok, release = run_pipeline(Path(args.input), Path(args.output), full_refresh=args.full_refresh)
    if not ok or release is None:
        print("pipeline run failed: nothing was published (see the log above)", file=sys.stderr)
        return 1
    print(f"published {release}\n{_summary(release)}")
    return 0


def command_eval(args: argparse.Namespace) -> int:
    """``alliance-events eval``: run on the dev-set documents and score against its gold."""
    import polars as pl

    from pipeline.lib.evaluation import (
        evaluate_release,
        format_document_scores,
        format_report,
        score_documents,
    )

    devset = Path(args.devset)
    output = Path(args.output) if args.output else Path(tempfile.mkdtemp(prefix="alliance-eval-"))
    prepare_dagster_home()
    ok, release = run_pipeline(devset / "docs", output, ephemeral=True)
    if not ok or release is None:
        print("evaluation run failed", file=sys.stderr)
        return 1
    print(format_report(evaluate_release(release, devset / "gold.jsonl")))
    documents = pl.read_parquet(release / "parquet" / "documents.parquet")
    print(format_document_scores(score_documents(devset / "gold.jsonl", documents)))
    return 0


def command_eval_cleaning(args: argparse.Namespace) -> int:
    """``alliance-events eval-cleaning``: line-level precision/recall of the boilerplate remover."""
    from pipeline.lib.cleaning_eval import evaluate_cleaning, format_cleaning_report
    from pipeline.lib.settings import Settings

    folders = {
        "sample": PROJECT_ROOT / "data" / "sample",
        "own": PROJECT_ROOT / "eval" / "own" / "docs",
        "devset": Path(args.devset) / "docs",
    }
    report = evaluate_cleaning(Path(args.labels), folders, Settings.from_env())
    print(format_cleaning_report(report))
    return 0


def _selection(args: argparse.Namespace):
    from datetime import UTC, datetime

    from pipeline.lib.sources import Selection

    before = None
    if args.last_seen_before:
        before = datetime.fromisoformat(args.last_seen_before)
        before = before if before.tzinfo else before.replace(tzinfo=UTC)
    return Selection(tuple(args.batch), tuple(args.source), tuple(args.input_dir), before)


def _work_store(output: str):
    from pipeline.lib.settings import Settings
    from pipeline.lib.storage import WorkStore

    return WorkStore(Settings.from_env(output_dir=Path(output)).resolved_work_url)


def command_sources_list(args: argparse.Namespace) -> int:
    """``alliance-events sources list``: the archived inputs, one row each."""
    from pipeline.lib.query import format_result
    from pipeline.lib.sources import list_sources

    frame = list_sources(_work_store(args.output), _selection(args))
    width = shutil.get_terminal_size((160, 24)).columns
    sys.stdout.write(format_result(frame, args.format, max_rows=args.max_rows, max_width=width))
    if args.format == "table":
        print(f"{frame.height} archived inputs in {frame['batch'].n_unique()} batches")
    return 0


def command_sources_forget(args: argparse.Namespace) -> int:
    """``alliance-events sources forget``: remove chosen inputs from the archive, on purpose."""
    from datetime import UTC, datetime

    from pipeline.lib.publish.changes import previous_release
    from pipeline.lib.sources import forget_sources

    selection = _selection(args)
    if selection.empty:
        print(
            "alliance-events sources forget: give --batch, --source, --input-dir or --last-seen-before",
            file=sys.stderr,
        )
        return 2
    now = datetime.now(UTC)
    outcome = forget_sources(
        _work_store(args.output),
        selection,
        args.note,
        now,
        release=previous_release(Path(args.output)),
        dry_run=args.dry_run,
    )
    verb = "would forget" if args.dry_run else "forgot"
    count = outcome.archived.height
    print(f"{verb} {count} archived inputs in {outcome.archived['batch'].n_unique()} batches")
    for batch, source in outcome.archived.select("batch", "source_path").head(args.max_rows).iter_rows():
        print(f"  {batch}: {source}")
    if count > args.max_rows:
        print(f"  ... and {count - args.max_rows} more")
    if outcome.unarchived:
        print(
            f"{verb} {len(outcome.unarchived)} inputs of the latest release that the archive no longer holds"
        )
    for path in outcome.still_in_folder[:10]:
        print(
            f"warning: {path} is still in its input folder: the next run archives it again", file=sys.stderr
        )
    if not args.dry_run and (count or outcome.unarchived):
        print("the next `alliance-events run` publishes a release without their rows (see its CHANGES.md)")
    return 0


def command_query(args: argparse.Namespace) -> int:
    """``alliance-events query``: SQL on a release's alliance.duckdb, printed as a table, CSV or JSON."""
    import duckdb

    from pipeline.lib.query import (
        ReleaseNotFoundError,
        example_sql,
        find_database,
        format_result,
        list_examples,
        parse_variables,
        run_query,
    )

    if args.list_examples:
        for example in list_examples():
            print(f"{example.name:<28} {example.question}")
        return 0
    try:
        if args.example:
            sql = example_sql(args.example)
        elif args.file:
            sql = Path(args.file).read_text(encoding="utf-8")
        elif args.sql:
            sql = args.sql
        else:
            print("alliance-events query: give SQL, --file FILE.sql or --example NAME", file=sys.stderr)
            return 2
        variables = parse_variables(args.set)
        database = find_database(Path(args.release) if args.release else None)
    except (ReleaseNotFoundError, KeyError, ValueError, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) else error
        print(f"alliance-events query: {message}", file=sys.stderr)
        return 2
    try:
        frame = run_query(database, sql, variables)
    except duckdb.Error as error:
        print(f"alliance-events query: {error}", file=sys.stderr)
        return 1
    width = shutil.get_terminal_size((160, 24)).columns
    sys.stdout.write(format_result(frame, args.format, max_rows=args.max_rows, max_width=width))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = argparse.ArgumentParser(prog="alliance-events", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run every stage on a folder and publish a release")
    run.add_argument(
        "--input", default=str(PROJECT_ROOT / "data" / "sample"), help="folder of raw news inputs"
    )
    run.add_argument("--output", default=str(PROJECT_ROOT / "outputs"), help="where releases are published")
    run.add_argument(
        "--full-refresh", action="store_true", help="rebuild every stage instead of reusing earlier results"
    )
    run.set_defaults(handler=command_run)
    evaluate = commands.add_parser("eval", help="score the pipeline on an annotated dev set")
    evaluate.add_argument("--devset", default=str(DEFAULT_DEVSET), help="folder with docs/ and gold.jsonl")
    evaluate.add_argument(
        "--output", default=None, help="where to publish the evaluation release (temporary)"
    )
    evaluate.set_defaults(handler=command_eval)
    cleaning = commands.add_parser("eval-cleaning", help="score the boilerplate remover on labelled lines")
    cleaning.add_argument("--labels", default=str(PROJECT_ROOT / "eval" / "boilerplate" / "labels.jsonl"))
    cleaning.add_argument(
        "--devset", default=str(DEFAULT_DEVSET), help="folder with docs/ (skipped if absent)"
    )
    cleaning.set_defaults(handler=command_eval_cleaning)
    sources = commands.add_parser("sources", help="list the raw archive's inputs, or forget chosen ones")
    actions = sources.add_subparsers(dest="action", required=True)
    for name, handler, summary in (
        ("list", command_sources_list, "list archived inputs (batch, path, first and last seen)"),
        (
            "forget",
            command_sources_forget,
            "remove chosen inputs from the archive; the next release drops their rows",
        ),
    ):
        action = actions.add_parser(name, help=summary)
        action.add_argument(
            "--output", default=str(PROJECT_ROOT / "outputs"), help="the output folder whose archive to use"
        )
        action.add_argument("--batch", action="append", default=[], help="a batch key (repeatable)")
        action.add_argument(
            "--source",
            action="append",
            default=[],
            help="a glob over source paths or input files (repeatable)",
        )
        action.add_argument(
            "--input-dir", action="append", default=[], help="inputs archived from this folder"
        )
        action.add_argument(
            "--last-seen-before", default=None, help="inputs not seen in a folder since this date"
        )
        action.add_argument("--max-rows", type=int, default=100, help="rows shown")
        action.set_defaults(handler=handler)
        if name == "list":
            action.add_argument("--format", choices=("table", "csv", "json"), default="table")
        else:
            action.add_argument("--note", default="forgotten on request", help="why (kept in the log)")
            action.add_argument(
                "--dry-run", action="store_true", help="say what would be forgotten, change nothing"
            )
    query = commands.add_parser(
        "query", help="run SQL on a release's alliance.duckdb (read-only) and print the result"
    )
    question = query.add_mutually_exclusive_group()
    question.add_argument("sql", nargs="?", help="the SQL to run (several statements allowed)")
    question.add_argument("--file", help="a .sql file to run")
    question.add_argument("--example", help="a query of sql/examples, by name (see --list-examples)")
    question.add_argument("--list-examples", action="store_true", help="list the example queries")
    query.add_argument(
        "--release",
        default=None,
        help="release folder, output folder or .duckdb file (default: latest release in the output folder)",
    )
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a DuckDB variable before the query (the examples' parameters, e.g. country_a=PRK)",
    )
    query.add_argument("--max-rows", type=int, default=100, help="rows shown in table format")
    query.set_defaults(handler=command_query)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
