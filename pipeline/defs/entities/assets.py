"""Entities stage: spaCy per language over the sentences of canonical documents."""

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.defs.resources import PipelineResource
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.actors.table import actors_frame
from pipeline.lib.entities import SentenceContext, analyse, mentions_frame, mentions_of, write_shard
from pipeline.lib.schema import MENTIONS

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


SHARD_SCHEMA = {
    "language": pl.String,
    "path": pl.String,
    "sentences": pl.Int64,
    "doc_ids": pl.List(pl.String),
}


def _usable_shards(previous: pl.DataFrame | None, documents: pl.DataFrame, shard_dir: Path) -> pl.DataFrame:
    """Earlier shards that still hold a current document; the files of the others are deleted."""
    if previous is None:
        shutil.rmtree(shard_dir, ignore_errors=True)
        return pl.DataFrame(schema=SHARD_SCHEMA)
    current = set(documents["doc_id"].to_list())
    keep = [
        Path(row["path"]).is_file() and bool(current.intersection(row["doc_ids"]))
        for row in previous.iter_rows(named=True)
    ]
    for row, usable in zip(previous.iter_rows(named=True), keep, strict=True):
        if not usable:
            Path(row["path"]).unlink(missing_ok=True)
    return previous.filter(pl.Series(keep, dtype=pl.Boolean)).select(SHARD_SCHEMA.keys())


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
    """Analyse the sentences of canonical documents not analysed before, in batches per language."""
    settings = pipeline.settings()
    dictionary = load_actor_dictionary()
    shard_dir = settings.resolved_work_dir / "nlp"
    shards = _usable_shards(pipeline.previous("_nlp_shards"), core_documents, shard_dir)
    analysed = set(shards["doc_ids"].explode().drop_nulls().to_list())
    canonical = core_documents.filter(pl.col("duplicate_of").is_null()).select(
        "doc_id", "text", "published_date"
    )
    todo = canonical.filter(~pl.col("doc_id").is_in(sorted(analysed)))
    sentences = _sentences.join(todo, on="doc_id", how="inner").sort("doc_id", "sentence_index")
    batch_token = hashlib.sha256("".join(sorted(todo["doc_id"].to_list())).encode()).hexdigest()[:12]
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
            path = shard_dir / f"{language}-{batch_token}-{offset // SHARD_SENTENCES:05d}.spacy"
            write_shard(docs, path)
            new_shards.append(
                {
                    "language": language,
                    "path": str(path),
                    "sentences": len(docs),
                    "doc_ids": chunk["doc_id"].unique(maintain_order=True).to_list(),
                }
            )
    shard_frame = pl.concat([shards, pl.DataFrame(new_shards, schema=SHARD_SCHEMA)])
    previous_mentions = pipeline.previous("core_mentions")
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
        f"analysed {todo.height} documents ({sentences.height} sentences) in {len(new_shards)} new shards; "
        f"{canonical.height - todo.height} canonical documents analysed in earlier runs"
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
    yield dg.Output(
        mentions, "core_mentions", metadata={"mentions": mentions.height, "unresolved": unresolved}
    )
