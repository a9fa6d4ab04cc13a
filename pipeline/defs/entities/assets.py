"""Entities stage: spaCy per language over the sentences of canonical documents."""

import shutil

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.actors.table import actors_frame
from pipeline.lib.entities import SentenceContext, analyse, mentions_frame, mentions_of, write_shard

SHARD_SENTENCES = 5000


@dg.asset(group_name="entities", description="Published actors table: the actor dictionary used by this run.")
def core_actors() -> dg.MaterializeResult:
    """The actor dictionary (pipeline/data/actors) as a table."""
    frame = actors_frame(load_actor_dictionary())
    return dg.MaterializeResult(
        value=frame,
        metadata={
            "actors": frame.height,
            "by_kind": dg.MetadataValue.json(dict(frame.group_by("kind").len().iter_rows())),
        },
    )


@dg.multi_asset(
    outs={
        "_nlp_shards": dg.AssetOut(
            description="DocBin files of analysed sentences (tokens, lemmas, actor and trigger spans)."
        ),
        "core_mentions": dg.AssetOut(description="Published mentions table: every recognised actor mention."),
    },
    group_name="entities",
)
def entities(
    context: dg.AssetExecutionContext,
    pipeline: PipelineResource,
    core_documents: pl.DataFrame,
    _sentences: pl.DataFrame,
):
    """Analyse the sentences of canonical documents in batches, one pipeline per language."""
    settings = pipeline.settings()
    dictionary = load_actor_dictionary()
    shard_dir = settings.resolved_work_dir / "nlp"
    shutil.rmtree(shard_dir, ignore_errors=True)
    canonical = core_documents.filter(pl.col("duplicate_of").is_null()).select(
        "doc_id", "text", "published_date"
    )
    sentences = _sentences.join(canonical, on="doc_id", how="inner").sort("doc_id", "sentence_index")
    shards, mention_rows = [], []
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
            path = shard_dir / f"{language}-{offset // SHARD_SENTENCES:05d}.spacy"
            write_shard(docs, path)
            shards.append({"language": language, "path": str(path), "sentences": len(docs)})
    mentions = mentions_frame(mention_rows)
    shard_frame = pl.DataFrame(
        shards, schema={"language": pl.String, "path": pl.String, "sentences": pl.Int64}
    )
    unresolved = int(mentions["actor_id"].is_null().sum()) if mentions.height else 0
    context.log.info(f"{sentences.height} sentences in {len(shards)} shards, {mentions.height} mentions")
    yield dg.Output(
        shard_frame, "_nlp_shards", metadata={"shards": len(shards), "sentences": sentences.height}
    )
    yield dg.Output(
        mentions, "core_mentions", metadata={"mentions": mentions.height, "unresolved": unresolved}
    )
