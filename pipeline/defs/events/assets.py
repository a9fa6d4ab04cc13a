"""Events stage: PLOVER events from the analysed sentences, grouped into cross-document stories."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.events.assemble import code_shards, events_frame
from pipeline.lib.events.lexicon import load_event_lexicon


@dg.asset(group_name="events", description="Published events table: one row per coded event.")
def core_events(
    pipeline: PipelineResource, _nlp_shards: pl.DataFrame, core_documents: pl.DataFrame
) -> dg.MaterializeResult:
    """Code events from every analysed sentence; same happening across documents = same story."""
    settings = pipeline.settings()
    shards = [(row["language"], Path(row["path"])) for row in _nlp_shards.iter_rows(named=True)]
    rows = code_shards(shards, load_event_lexicon(), load_actor_dictionary(), settings.spacy_models)
    events = events_frame(rows, core_documents)
    return dg.MaterializeResult(
        value=events,
        metadata={
            "events": events.height,
            "by_type": dg.MetadataValue.json(
                dict(events.group_by("event_type").len().sort("event_type").iter_rows())
            ),
            "stories": events["story_id"].n_unique() if events.height else 0,
        },
    )
