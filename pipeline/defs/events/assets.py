"""Events stage: PLOVER events from the analysed sentences, grouped into cross-document stories.

Incremental: documents coded in an earlier run keep their events; only canonical documents not
coded before are read from the NLP shards. Stories and source counts are rebuilt over all events,
since a new document may report a happening already known.
"""

from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.events.assemble import candidates_frame, code_shards, events_frame
from pipeline.lib.events.lexicon import load_event_lexicon

CODED_SCHEMA = {"doc_id": pl.String, "events": pl.Int64}


@dg.multi_asset(
    outs={
        "_coded_documents": dg.AssetOut(
            description="Documents whose sentences were coded, with their event count."
        ),
        "core_events": dg.AssetOut(description="Published events table: one row per coded event."),
    },
    group_name="events",
)
def events(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    _nlp_shards: pl.DataFrame,
    core_documents: pl.DataFrame,
):
    """Code events of canonical documents not coded before; same happening across documents = same story."""
    settings = pipeline.settings()
    canonical = set(core_documents.filter(pl.col("duplicate_of").is_null())["doc_id"].to_list())
    previous_coded, previous_events = pipeline.previous("_coded_documents"), pipeline.previous("core_events")
    if previous_coded is None or previous_events is None:
        previous_coded, previous_events = pl.DataFrame(schema=CODED_SCHEMA), None
    coded_before = canonical.intersection(previous_coded["doc_id"].to_list())
    todo = canonical - coded_before
    shards = [
        (row["language"], Path(row["path"]))
        for row in _nlp_shards.iter_rows(named=True)
        if todo.intersection(row["doc_ids"])
    ]
    new = candidates_frame(
        code_shards(shards, load_event_lexicon(), load_actor_dictionary(), settings.spacy_models, todo)
    )
    kept = (
        previous_events.filter(pl.col("doc_id").is_in(sorted(coded_before)))
        if previous_events is not None
        else new.clear()
    )
    all_events = events_frame(pl.concat([kept.select(new.columns), new]), core_documents)
    counts = dict(new.group_by("doc_id").len().iter_rows())
    coded = pl.concat(
        [
            previous_coded.filter(pl.col("doc_id").is_in(sorted(coded_before))),
            pl.DataFrame(
                [(doc, counts.get(doc, 0)) for doc in sorted(todo)], schema=CODED_SCHEMA, orient="row"
            ),
        ]
    ).sort("doc_id")
    context.log.info(f"coded {len(todo)} documents ({new.height} events); {len(coded_before)} coded before")
    yield dg.Output(
        coded, "_coded_documents", metadata={"documents": coded.height, "coded_this_run": len(todo)}
    )
    yield dg.Output(
        all_events,
        "core_events",
        metadata={
            "events": all_events.height,
            "events_coded_this_run": new.height,
            "by_type": dg.MetadataValue.json(
                dict(all_events.group_by("event_type").len().sort("event_type").iter_rows())
            ),
            "stories": all_events["story_id"].n_unique() if all_events.height else 0,
        },
    )
