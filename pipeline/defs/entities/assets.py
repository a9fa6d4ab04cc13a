"""Entities stage: spaCy per language over the sentences of each batch's canonical documents."""

import hashlib

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource, counts_by, ingest_batches
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.actors.table import actors_frame
from pipeline.lib.dedup import mark_duplicates
from pipeline.lib.entities import SentenceContext, analyse, mentions_frame, mentions_of, shard_bytes
from pipeline.lib.schema import MENTIONS
from pipeline.lib.storage import SortedCombination

SHARD_SENTENCES = 5000


@dg.asset(group_name="entities", description="Published actors table: the actor dictionary used by this run.")
def core_actors() -> dg.MaterializeResult:
    """The actor dictionary (pipeline/data/actors) as a table."""
    frame = actors_frame(load_actor_dictionary())
    return dg.MaterializeResult(
        value=frame,
        metadata={
            "actors": frame.height,
            "by_kind": counts_by(frame, "kind"),
        },
    )


SHARD_SCHEMA = {
    "language": pl.String,
    "shard": pl.String,
    "sentences": pl.Int64,
    "doc_ids": pl.List(pl.String),
    "docbin": pl.Binary,
}


def batch_canonical(documents: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Documents of one batch that are no copy of another document of the batch.

    Copies across batches are found when the batches are combined; since a copy's canonical
    document is chosen by the same order there, it is always one analysed here.
    """
    marked = mark_duplicates(documents, threshold)
    return marked.filter(pl.col("duplicate_of").is_null()).select("doc_id", "text", "published_date")


@dg.multi_asset(
    outs={
        "_nlp_shards": dg.AssetOut(
            description="DocBin shards of analysed sentences (tokens, lemmas, actor and trigger spans)."
        ),
        "_mentions": dg.AssetOut(description="Every recognised actor mention of the batch's documents."),
    },
    group_name="entities",
    partitions_def=ingest_batches,
)
def entities(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    _clean_documents: pl.DataFrame,
    _sentences: pl.DataFrame,
):
    """Analyse the sentences of the batch's documents not analysed before, in shards per language."""
    settings, batch = pipeline.settings(), context.partition_key
    dictionary = load_actor_dictionary()
    canonical = batch_canonical(_clean_documents, settings.near_duplicate_threshold)
    current = set(canonical["doc_id"].to_list())
    previous = pipeline.previous("_nlp_shards", batch)
    shards = (
        previous.filter(pl.col("doc_ids").list.eval(pl.element().is_in(sorted(current))).list.any()).select(
            SHARD_SCHEMA.keys()
        )
        if previous is not None
        else pl.DataFrame(schema=SHARD_SCHEMA)
    )
    analysed = set(shards["doc_ids"].explode().drop_nulls().to_list())
    todo = canonical.filter(~pl.col("doc_id").is_in(sorted(analysed)))
    sentences = _sentences.join(todo, on="doc_id", how="inner").sort("doc_id", "sentence_index")
    run_token = hashlib.sha256("".join(sorted(todo["doc_id"].to_list())).encode()).hexdigest()[:12]
    new_shards, mention_rows = [], []
    for (language,), group in sentences.group_by("language", maintain_order=True):
        for offset in range(0, group.height, SHARD_SENTENCES):
            chunk = group.slice(offset, SHARD_SENTENCES)
            items = (
                (
                    row["text"][row["char_start"] : row["char_end"]],
                    SentenceContext(
                        row["doc_id"], row["sentence_index"], row["char_start"], row["published_date"]
                    ),
                )
                for row in chunk.iter_rows(named=True)
            )
            docs = list(
                analyse(
                    items,
                    language,
                    settings.spacy_models.get(language),
                    settings.nlp_batch_size,
                    settings.nlp_processes,
                )
            )
            for doc in docs:
                mention_rows.extend(mentions_of(doc, language, dictionary))
            new_shards.append(
                {
                    "language": language,
                    "shard": f"{language}-{run_token}-{offset // SHARD_SENTENCES:05d}",
                    "sentences": len(docs),
                    "doc_ids": chunk["doc_id"].unique(maintain_order=True).to_list(),
                    "docbin": shard_bytes(docs),
                }
            )
    shard_frame = pl.concat([shards, pl.DataFrame(new_shards, schema=SHARD_SCHEMA)])
    previous_mentions = pipeline.previous("_mentions", batch)
    kept_mentions = (
        previous_mentions.join(canonical.select("doc_id"), on="doc_id", how="semi").join(
            todo.select("doc_id"), on="doc_id", how="anti"
        )
        if previous_mentions is not None
        else MENTIONS.empty()
    )
    mentions = pl.concat([kept_mentions, mentions_frame(mention_rows)]).sort("mention_id")
    unresolved = int(mentions["actor_id"].is_null().sum()) if mentions.height else 0
    context.log.info(
        f"batch {batch}: analysed {todo.height} documents ({sentences.height} sentences) in "
        f"{len(new_shards)} new shards; {canonical.height - todo.height} analysed in earlier runs"
    )
    yield dg.Output(
        shard_frame,
        "_nlp_shards",
        metadata={
            "shards": shard_frame.height,
            "documents_analysed_this_run": todo.height,
            "sentences_analysed_this_run": sentences.height,
        },
    )
    yield dg.Output(mentions, "_mentions", metadata={"mentions": mentions.height, "unresolved": unresolved})


@dg.asset(
    group_name="entities",
    deps=["_mentions"],
    description="Published mentions table: every recognised actor mention in a canonical document.",
)
def core_mentions(pipeline: PipelineResource, core_documents: pl.LazyFrame) -> dg.MaterializeResult:
    """The mentions of every batch, for the documents that are canonical over all batches (combined
    and sorted out of core)."""
    canonical = core_documents.filter(pl.col("duplicate_of").is_null()).select("doc_id").collect()
    mentions = SortedCombination(
        pipeline.partition_tables("_mentions"), "mention_id", MENTIONS.polars_schema, keep=canonical
    )
    kept = pipeline.combined("_mentions", MENTIONS.polars_schema).filter(
        pl.col("doc_id").is_in(canonical["doc_id"].implode())
    )
    total, unresolved = kept.select(pl.len(), pl.col("actor_id").is_null().sum()).collect().row(0)
    return dg.MaterializeResult(value=mentions, metadata={"mentions": total, "unresolved": unresolved})
