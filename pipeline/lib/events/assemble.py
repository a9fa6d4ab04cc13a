"""Code the events of all analysed sentences and group them into stories."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import polars as pl

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.entities import shard_docs
from pipeline.lib.events.coder import REFERS_BACK, events_for_sentence, sentence_subject
from pipeline.lib.events.lexicon import EventLexicon
from pipeline.lib.events.offtopic import OfftopicCounter
from pipeline.lib.events.stories import assign_stories, count_sources, dyad_columns
from pipeline.lib.schema import EVENTS


def code_shards(
    shards: Iterable[tuple[str, bytes]],
    lexicon: EventLexicon,
    dictionary: ActorDictionary,
    models: dict[str, str],
    documents: Collection[str] | None = None,
) -> list[dict]:
    """Event rows of the sentences in the DocBin shards, given as (language, DocBin bytes).

    Only sentences of ``documents`` are coded when it is given (every sentence otherwise). Events
    of non-political documents (sports, weather, culture) are dropped.
    """
    rows: list[dict] = []
    offtopic = OfftopicCounter()
    subjects: dict[str, tuple[int, object]] = {}  # doc_id -> (sentence index, its subject)
    for language, data in shards:
        for doc in shard_docs(data, language, models.get(language)):
            context = doc.user_data["ctx"]
            doc_id = context["doc_id"]
            if documents is not None and doc_id not in documents:
                continue
            offtopic.add(doc_id, language, (token.norm_ for token in doc))
            index, subject = subjects.get(doc_id, (-2, None))
            previous = subject if index == context["sentence_index"] - 1 else None
            rows.extend(events_for_sentence(doc, language, lexicon, dictionary, previous))
            subjects[doc_id] = (
                context["sentence_index"],
                sentence_subject(doc, language, lexicon, dictionary),
            )
    dropped = offtopic.non_political()
    return date_from_setting([row for row in rows if row["doc_id"] not in dropped])


# Events that make an occasion a sentence can refer back to ("Bei dem Treffen ...").
OCCASION_TYPES = ("CONSULT", "AGREE")


def date_from_setting(rows: list[dict]) -> list[dict]:
    """Undated events of a sentence set at a meeting reported earlier ("Bei dem Treffen forderte
    Lukaschenko ...") take the date of that meeting: the latest earlier dated meeting or signing
    in the same document that shares an actor with the event."""
    occasions: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r["doc_id"], r["sentence_index"])):
        if row.pop(REFERS_BACK, False) and row["event_date"] is None:
            pair = {row["source_country"], row["target_country"]}
            earlier = [
                r
                for r in occasions.get(row["doc_id"], [])
                if r["sentence_index"] < row["sentence_index"]
                and pair & {r["source_country"], r["target_country"]}
            ]
            if earlier:
                source = earlier[-1]
                row.update({key: source[key] for key in ("event_date", "date_precision", "date_text")})
        elif row["event_date"] is not None and row["event_type"] in OCCASION_TYPES:
            occasions.setdefault(row["doc_id"], []).append(row)
    return rows


STORY_COLUMNS = ("story_id", "num_sources")
CANDIDATE_SCHEMA = {name: dtype for name, dtype in EVENTS.polars_schema.items() if name not in STORY_COLUMNS}


def candidates_frame(rows: list[dict]) -> pl.DataFrame:
    """Coded event rows (before stories) as a table; each row is one sentence's report."""
    schema = {name: dtype for name, dtype in CANDIDATE_SCHEMA.items() if name != "doc_mentions"}
    frame = pl.DataFrame(rows, schema=schema, strict=False)
    return frame.with_columns(pl.lit(1, pl.Int64).alias("doc_mentions")).select(CANDIDATE_SCHEMA.keys())


def merge_within_documents(events: pl.DataFrame) -> pl.DataFrame:
    """Keep one row per happening per document: a dated report, the most confident, the earliest.

    Reports of one document with the same story and polarity are one happening, whatever their
    status ("will sign" in the headline, "signed" in the text). A report without a date belongs
    to the dated happening of the same type, CAMEO code and dyad in that document when there is
    one: "the signing" after "signed on Friday" (a visit and a meeting of the same pair stay
    apart). ``doc_mentions`` adds up the sentences that reported it
    (rows kept from an earlier run bring their count along, so merging again gives the same table).
    """
    first, second = dyad_columns()
    dated_story = pl.when(pl.col("event_date").is_not_null()).then(pl.col("story_id")).otherwise(None)
    keyed = events.with_columns(first.alias("_first"), second.alias("_second")).with_columns(
        pl.coalesce(
            pl.when(pl.col("event_date").is_null())
            .then(
                dated_story.sort_by("sentence_index")
                .drop_nulls()
                .first()
                .over(["doc_id", "event_type", "cameo_code", "_first", "_second", "negated"])
            )
            .otherwise(None),
            pl.col("story_id"),
        ).alias("_happening")
    )
    happening = ["doc_id", "_happening", "negated"]
    counts = keyed.group_by(happening).agg(pl.col("doc_mentions").sum().alias("_mentions"))
    best = (
        keyed.with_columns(pl.col("event_date").is_not_null().alias("_dated"))
        .sort(["_dated", "confidence", "sentence_index", "event_id"], descending=[True, True, False, False])
        .unique(subset=happening, keep="first", maintain_order=True)
        .drop("_dated")
    )
    merged = best.join(counts, on=happening, how="left", nulls_equal=True)
    return merged.with_columns(pl.col("_mentions").alias("doc_mentions")).drop(
        "_mentions", "_happening", "_first", "_second"
    )


def events_frame(candidates: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Event candidates with stories, one per happening per document, in the published schema."""
    if candidates.is_empty():
        return EVENTS.empty()
    storied = assign_stories(candidates.select(CANDIDATE_SCHEMA.keys()), documents)
    merged = count_sources(merge_within_documents(storied).drop("num_sources"), documents)
    return EVENTS.conform(merged).sort("event_id")
