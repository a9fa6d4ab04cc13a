"""Events stage: PLOVER events from the analysed sentences, grouped into cross-document stories.

Coding runs per ingest batch (partition) and is incremental within it: documents coded in an
earlier run keep their event candidates. The published events table combines the candidates of
every batch's canonical documents; stories and source counts are rebuilt over all of them, since
a new document may report a happening already known.
"""

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource, counts_by, ingest_batches
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.batches import COMPLETE, write_state
from pipeline.lib.events.assemble import CANDIDATE_SCHEMA, candidates_frame, code_shards, events_frame
from pipeline.lib.events.lexicon import load_event_lexicon

CODED_SCHEMA = {"doc_id": pl.String, "events": pl.Int64}


@dg.multi_asset(
    outs={
        "_coded_documents": dg.AssetOut(
            description="Documents of the batch whose sentences were coded, with their event count."
        ),
        "_event_candidates": dg.AssetOut(
            description="Coded events of the batch, one row per report, before stories are formed."
        ),
    },
    group_name="events",
    partitions_def=ingest_batches,
)
def code_events(context: dg.AssetExecutionContext, pipeline: PipelineResource, _nlp_shards: pl.DataFrame):
    """Code the events of the batch's analysed documents not coded before; marks the batch complete."""
    settings, batch = pipeline.settings(), context.partition_key
    analysed = set(_nlp_shards["doc_ids"].explode().drop_nulls().to_list())
    previous_coded = pipeline.previous("_coded_documents", batch)
    previous_candidates = pipeline.previous("_event_candidates", batch)
    if previous_coded is None or previous_candidates is None:
        previous_coded, previous_candidates = (
            pl.DataFrame(schema=CODED_SCHEMA),
            pl.DataFrame(schema=CANDIDATE_SCHEMA),
        )
    coded_before = analysed.intersection(previous_coded["doc_id"].to_list())
    todo = analysed - coded_before
    shards = [
        (row["language"], row["docbin"])
        for row in _nlp_shards.iter_rows(named=True)
        if todo.intersection(row["doc_ids"])
    ]
    new = candidates_frame(
        code_shards(shards, load_event_lexicon(), load_actor_dictionary(), settings.spacy_models, todo)
    )
    kept = previous_candidates.filter(pl.col("doc_id").is_in(sorted(coded_before)))
    candidates = pl.concat([kept.select(new.columns), new]).sort("doc_id", "event_id")
    counts = dict(new.group_by("doc_id").len().iter_rows())
    coded = pl.concat(
        [
            previous_coded.filter(pl.col("doc_id").is_in(sorted(coded_before))),
            pl.DataFrame(
                [(doc, counts.get(doc, 0)) for doc in sorted(todo)], schema=CODED_SCHEMA, orient="row"
            ),
        ]
    ).sort("doc_id")
    context.log.info(
        f"batch {batch}: coded {len(todo)} documents ({new.height} events); {len(coded_before)} coded before"
    )
    yield dg.Output(
        coded, "_coded_documents", metadata={"documents": coded.height, "coded_this_run": len(todo)}
    )
    yield dg.Output(
        candidates,
        "_event_candidates",
        metadata={"candidates": candidates.height, "coded_this_run": new.height},
    )
    # Both tables are stored once their outputs are yielded: only now is the batch complete, its
    # tables built with these stage fingerprints.
    write_state(
        pipeline.store(), batch, status=COMPLETE, run_id=context.run_id, stages=pipeline.fingerprints()
    )


@dg.asset(
    group_name="events",
    deps=["_event_candidates"],
    description="Published events table: one row per happening per document, grouped into stories.",
)
def core_events(pipeline: PipelineResource, core_documents: pl.LazyFrame) -> dg.MaterializeResult:
    """The event candidates of every batch's canonical documents, with stories and source counts."""
    candidates = pipeline.combined_for_canonical("_event_candidates", CANDIDATE_SCHEMA, core_documents)
    documents = core_documents.select("doc_id", "duplicate_of", "published_date").collect()
    all_events = events_frame(candidates.collect(), documents)
    return dg.MaterializeResult(
        value=all_events,
        metadata={
            "events": all_events.height,
            "by_type": counts_by(all_events, "event_type"),
            "stories": all_events["story_id"].n_unique() if all_events.height else 0,
        },
    )
