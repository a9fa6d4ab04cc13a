"""Run the language pipelines over sentences and turn actor spans into mention rows.

Sentences stream through ``nlp.pipe`` in batches per language; each analysed sentence is kept
in a spaCy ``DocBin`` shard (tokens, lemmas, norms, actor and trigger spans, and the sentence's
place in its document) so the events stage reads the analysis instead of redoing it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import catalogue
import polars as pl
import srsly.msgpack as srsly_msgpack
from spacy.tokens import Doc, DocBin

from pipeline.lib.actors.dictionary import Actor, ActorDictionary
from pipeline.lib.actors.resolve import actor_code_on
from pipeline.lib.nlp.components import ACTOR_SPANS
from pipeline.lib.nlp.persons import UNRESOLVED_KEY
from pipeline.lib.nlp.pipelines import load_pipeline
from pipeline.lib.schema import MENTIONS

DOCBIN_ATTRS = ["ORTH", "LEMMA", "NORM", "SPACY", "SENT_START", "ENT_IOB", "ENT_TYPE"]


@dataclass(frozen=True)
class SentenceContext:
    """Where an analysed sentence sits: stored in the Doc's user data."""

    doc_id: str
    sentence_index: int
    char_start: int
    published_date: date | None

    def as_user_data(self) -> dict:
        """A serialisable form for DocBin user data."""
        published = self.published_date.isoformat() if self.published_date else None
        return {
            "doc_id": self.doc_id,
            "sentence_index": self.sentence_index,
            "char_start": self.char_start,
            "published": published,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> SentenceContext:
        """Read the context back from an analysed sentence."""
        data = doc.user_data["ctx"]
        published = date.fromisoformat(data["published"]) if data["published"] else None
        return cls(data["doc_id"], data["sentence_index"], data["char_start"], published)


def mention_id(doc_id: str, start: int, end: int) -> str:
    """Stable id of a mention: the same document and offsets give the same id."""
    return hashlib.sha256(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


def analyse(
    sentences: Iterable[tuple[str, SentenceContext]],
    language: str,
    model: str | None,
    batch_size: int,
    n_process: int = 1,
) -> Iterator[Doc]:
    """Analysed sentences of one language, in input order, with their context attached."""
    nlp = load_pipeline(language, model)
    for doc, context in nlp.pipe(sentences, as_tuples=True, batch_size=batch_size, n_process=n_process):
        doc.user_data["ctx"] = context.as_user_data()
        yield doc


def mentions_of(doc: Doc, language: str, dictionary: ActorDictionary) -> list[dict]:
    """Mention rows for the actor spans of one analysed sentence."""
    context = SentenceContext.from_doc(doc)
    unresolved = doc.user_data.get(UNRESOLVED_KEY, {})
    rows = []
    for span in doc.spans.get(ACTOR_SPANS, []):
        start = context.char_start + span.start_char
        end = context.char_start + span.end_char
        actor = dictionary.by_id(span.id_) if span.id_ else None
        details = unresolved.get(f"{span.start_char}:{span.end_char}", {}) if actor is None else {}
        state = dictionary.by_id(details["state_actor_id"]) if details.get("state_actor_id") else None
        rows.append(
            {
                "mention_id": mention_id(context.doc_id, start, end),
                "doc_id": context.doc_id,
                "sentence_index": context.sentence_index,
                "char_start": start,
                "char_end": end,
                "text": span.text,
                "label": span.label_,
                "actor_id": actor.actor_id if actor else None,
                "country": actor_code_on(actor or state, context.published_date) if actor or state else None,
                "role": _role_title(actor, context.published_date) if actor else details.get("role"),
                "language": language,
            }
        )
    return rows


def _role_title(actor: Actor, day: date | None) -> str | None:
    """The office a known person held on ``day`` (None for states, organisations, undated text)."""
    role = actor.role_on(day) if actor.kind == "PERSON" else None
    return role.title if role else None


def cache_serialisation_lookups() -> None:
    """Make spaCy's (de)serialisation of analysed sentences cheap: done once per process.

    srsly asks its catalogue registries of msgpack encoders and decoders for all their functions
    on every Doc, span group and user-data dict it packs or unpacks, and catalogue answers each
    time by filtering every installed entry point (``EntryPoints.select``) and walking its whole
    registry: 60% of the NLP stage and 85% of reading a shard back. The answer cannot change while
    the pipeline runs (no package is installed meanwhile, and srsly registers its codecs at
    import), so the entry points are grouped once (catalogue's dict form) and the two srsly
    registries answer from a cache. Idempotent.
    """
    available = catalogue.AVAILABLE_ENTRY_POINTS
    if type(available) is not dict:  # SelectableGroups is a dict subclass that still scans
        if isinstance(available, dict):  # importlib's SelectableGroups: {group: entry points}
            grouped = {group: list(points) for group, points in dict.items(available)}
        else:
            grouped = {}
            for entry_point in available:
                grouped.setdefault(entry_point.group, []).append(entry_point)
        catalogue.AVAILABLE_ENTRY_POINTS = grouped
    for registry in (srsly_msgpack.msgpack_encoders, srsly_msgpack.msgpack_decoders):
        if not isinstance(registry.get_all, functools.partial):
            registry.get_all = functools.partial(_cached_codecs, registry.get_all())


def _cached_codecs(codecs: dict) -> dict:
    return codecs


def shard_bytes(docs: list[Doc]) -> bytes:
    """Analysed sentences (with spans and context) as DocBin bytes."""
    cache_serialisation_lookups()
    return DocBin(attrs=DOCBIN_ATTRS, store_user_data=True, docs=docs).to_bytes()


def shard_docs(data: bytes, language: str, model: str | None = None) -> Iterator[Doc]:
    """The analysed sentences of DocBin bytes, read with the language pipeline's vocabulary."""
    cache_serialisation_lookups()
    nlp = load_pipeline(language, model)
    yield from DocBin().from_bytes(data).get_docs(nlp.vocab)


def mentions_frame(rows: list[dict]) -> pl.DataFrame:
    """Mention rows as a table with the published schema."""
    if not rows:
        return MENTIONS.empty()
    return MENTIONS.conform(pl.DataFrame(rows, schema_overrides=MENTIONS.polars_schema, strict=False))
