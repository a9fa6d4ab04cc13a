"""Code PLOVER events from one analysed sentence: trigger, source, target, status, date, place.

No parser is available offline, so direction comes from cues that hold across de/en/ru news:
an actor glued to the trigger ("Russlands Krieg", "Russian invasion") or opening the clause is
the source; an actor after a target preposition ("an Belarus", "to Ukraine", "в Белоруссию") is
the target; "X und Y unterzeichneten" gives the pair; an actor after a locative preposition
("in Minsk") is where it happened and only a last-resort target. Lexicon entries marked
``reverse`` ("erhielt", "received") swap the roles. Speculation and conditionals are not events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.actors.resolve import actor_code_on
from pipeline.lib.entities import SentenceContext
from pipeline.lib.events.lexicon import Cues, EventLexicon, TriggerEntry
from pipeline.lib.nlp.components import ACTOR_SPANS, TRIGGER_SPANS
from pipeline.lib.nlp.persons import UNRESOLVED_KEY
from pipeline.lib.places import find_place
from pipeline.lib.text.dates import find_dates

LOCATIVE_PREPS = {"de": {"in", "im", "bei"}, "en": {"in", "at"}, "ru": {"в", "во"}}
_MAX_DISTANCE = 25  # tokens between trigger and actor: beyond this it is another clause
_NEGATION_BEFORE, _NEGATION_AFTER = 5, 4
_MODAL_BEFORE = 6


@dataclass(frozen=True)
class ActorHit:
    """An actor mention in the sentence with what the cues say about it."""

    start: int
    end: int
    actor_id: str | None  # None: a person the dictionary does not know, coded by the office's state
    code: str
    text: str
    marked: str | None  # "target", "source", "locative" or None


def _marked(doc: Doc, start: int, cues: Cues, language: str) -> str | None:
    """The role a preposition right before the mention gives it (skipping one article)."""
    for back in (1, 2):
        index = start - back
        if index < 0:
            return None
        norm = doc[index].norm_
        if norm in LOCATIVE_PREPS.get(language, set()):
            return "locative"
        if norm in cues.target_preps:
            return "target"
        if norm in cues.source_preps:
            return "source"
        if not (doc[index].is_alpha and len(doc[index]) <= 3):  # only an article may sit between
            return None
    return None


def actor_hits(
    doc: Doc, dictionary: ActorDictionary, day: date | None, cues: Cues, language: str
) -> list[ActorHit]:
    """Actor mentions resolved to a code on ``day``, with their preposition marks."""
    hits = []
    unresolved = doc.user_data.get(UNRESOLVED_KEY, {})
    for span in doc.spans.get(ACTOR_SPANS, []):
        if span.id_:
            actor_id, actor = span.id_, dictionary.by_id(span.id_)
        else:
            state = unresolved.get(f"{span.start_char}:{span.end_char}", {}).get("state_actor_id")
            actor_id, actor = None, dictionary.by_id(state) if state else None
        code = actor_code_on(actor, day) if actor else None
        if code:
            hits.append(
                ActorHit(
                    span.start, span.end, actor_id, code, span.text, _marked(doc, span.start, cues, language)
                )
            )
    return hits


def _pick_dyad(hits: list[ActorHit], trigger: Span) -> tuple[ActorHit, ActorHit, bool] | None:
    """(source, target, fallback_used) for the trigger, or None when no two countries are there."""
    near = [
        h
        for h in hits
        if abs(h.start - trigger.start) <= _MAX_DISTANCE and not (h.start <= trigger.start < h.end)
    ]
    if len({h.code for h in near}) < 2:
        return None
    left = [h for h in near if h.end <= trigger.start]
    right = [h for h in near if h.start >= trigger.end]
    glued = [h for h in left if trigger.start - h.end <= 1 and h.marked is None]
    source = next((h for h in near if h.marked == "source"), None)
    if source is None:
        source = glued[-1] if glued else next((h for h in left if h.marked is None), None)
    if source is None:
        source = next((h for h in right if h.marked is None), None)
    if source is None:
        return None
    others = [h for h in near if h.code != source.code]
    ranked = (
        [h for h in right if h.marked == "target"]
        + [h for h in left if h.marked == "target"]
        + [h for h in right if h.marked is None]
        + [h for h in left if h.marked is None and h.start > source.start]
        + [h for h in left if h.marked is None]
        + [h for h in near if h.marked == "locative"]
    )
    target = next((h for h in ranked if h in others), None)
    if target is None:
        return None
    fallback = target.marked == "locative" or (
        target.marked is None and target.start < trigger.start and target.start < source.start
    )
    return source, target, fallback


def _in_window(doc: Doc, trigger: Span, before: int, after: int) -> list[int]:
    return list(range(max(0, trigger.start - before), min(len(doc), trigger.end + after)))


def _status(doc: Doc, trigger: Span, cues: Cues, language: str) -> tuple[str | None, bool]:
    """(status or None for speculation/conditional, negated)."""
    norms = [token.norm_ for token in doc]
    if norms and norms[0] in cues.conditional:
        return None, False
    if any(norms[i] in cues.modal_speculative for i in _in_window(doc, trigger, _MODAL_BEFORE, 2)):
        return None, False
    negated = any(
        norms[i] in cues.negation for i in _in_window(doc, trigger, _NEGATION_BEFORE, _NEGATION_AFTER)
    )
    negated = negated or any(norm in cues.deny for norm in norms)
    # Auxiliaries whose lemma hides the tense ("wird"/"wurde" -> werden) count by their spelling.
    future = any(token.norm_ in cues.future or token.lower_ in cues.future_surface for token in doc)
    if not future:
        return "occurred", negated
    announced = any(norm in cues.announce for norm in norms)
    return ("announced" if announced else "planned"), negated


def _date_near(text: str, trigger: Span, reference: date | None):
    mentions = [m for m in find_dates(text, reference) if m.value is not None]
    if not mentions:
        return None
    return min(mentions, key=lambda m: abs(m.start - trigger.start_char))


def _location(doc: Doc, hits: list[ActorHit], language: str):
    for index, token in enumerate(doc[:-1]):
        if token.norm_ in LOCATIVE_PREPS.get(language, set()) and doc[index + 1].text[:1].isupper():
            nxt = doc[index + 1]
            place = find_place([nxt.text, nxt.norm_])
            if place is not None:
                return nxt.text, place
    return None


def event_id(doc_id: str, sentence_index: int, event_type: str, source: str, target: str) -> str:
    """Stable id: one event per type and dyad per sentence."""
    key = f"{doc_id}:{sentence_index}:{event_type}:{source}:{target}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _confidence(entry: TriggerEntry, fallback: bool, dated: bool, negated: bool) -> float:
    """Documented in the README: a prior per cue, clamped to [0, 1]."""
    score = 0.6 + (0.15 if entry.requires else 0.0) + (0.1 if dated else 0.0)
    score -= 0.25 if fallback else 0.0
    score -= 0.1 if negated else 0.0
    return round(max(0.0, min(1.0, score)), 2)


def events_for_sentence(
    doc: Doc, language: str, lexicon: EventLexicon, dictionary: ActorDictionary
) -> list[dict]:
    """Event rows for one analysed sentence (before story grouping)."""
    cues = lexicon.cues.get(language)
    triggers = doc.spans.get(TRIGGER_SPANS, [])
    if cues is None or not triggers:
        return []
    context = SentenceContext.from_doc(doc)
    entries = {entry.id: entry for entry in lexicon.entries.get(language, [])}
    hits = actor_hits(doc, dictionary, context.published_date, cues, language)
    if len({hit.code for hit in hits}) < 2:
        return []
    rows: dict[tuple[str, str, str], dict] = {}
    for trigger in triggers:
        entry = entries.get(trigger.id_)
        if entry is None:
            continue
        status, negated = _status(doc, trigger, cues, language)
        dyad = _pick_dyad(hits, trigger) if status else None
        if dyad is None:
            continue
        source, target, fallback = dyad
        if entry.reverse:
            source, target = target, source
        directed = lexicon.ontology[entry.type].directed
        key_pair = (source.code, target.code) if directed else tuple(sorted((source.code, target.code)))
        key = (entry.type, *key_pair)
        if key in rows:
            continue
        found_date = _date_near(doc.text, trigger, context.published_date)
        place = _location(doc, hits, language)
        rows[key] = {
            "event_id": event_id(context.doc_id, context.sentence_index, entry.type, *key_pair),
            "doc_id": context.doc_id,
            "sentence_index": context.sentence_index,
            "char_start": context.char_start,
            "char_end": context.char_start + len(doc.text),
            "evidence": doc.text,
            "language": language,
            "event_type": entry.type,
            "event_mode": entry.mode,
            "cameo_code": entry.cameo,
            "trigger": trigger.text,
            "source_actor_id": source.actor_id,
            "source_country": source.code,
            "target_actor_id": target.actor_id,
            "target_country": target.code,
            "event_date": found_date.value if found_date else None,
            "date_precision": found_date.precision if found_date else None,
            "date_text": found_date.text if found_date else None,
            "status": status,
            "negated": negated,
            "location_name": place[1].name if place else None,
            "latitude": place[1].latitude if place else None,
            "longitude": place[1].longitude if place else None,
            "confidence": _confidence(entry, fallback, found_date is not None, negated),
        }
    return list(rows.values())
