"""Actor mentions of one analysed sentence, as the event coder sees them.

Each mention is resolved to a state or organisation code on the sentence's date and marked with
what the words before it say about its role: a target, agent, origin, companion or "between"
preposition, a locative ("in Minsk", where "in die" and Russian "в" + accusative are directions),
or a Russian case (dative/accusative: a target; an oblique name: never a subject). Mentions joined
by commas and a coordinator form a list that shares its first member's mark. Wire datelines and
the sources a report cites ("nach Angaben Kiews") are no participants.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import pairwise

from spacy.tokens import Doc

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.actors.resolve import actor_code_on
from pipeline.lib.events.lexicon import Cues
from pipeline.lib.nlp.components import ACTOR_SPANS
from pipeline.lib.nlp.morphology import morph_analyzer
from pipeline.lib.nlp.persons import UNRESOLVED_KEY, load_office_words

LOCATIVE_PREPS = {"de": {"in", "im", "bei"}, "en": {"in", "at"}, "ru": {"в", "во"}}
POSSESSIVE = {"'s", "’s", "s"}
GENITIVE_ARTICLES = {"de": {"des"}, "en": set(), "ru": set()}
_EN_NOUN_CUES = {"the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "'s", "’s"}
_DIRECTION_ARTICLES = {"de": {"die", "den", "das"}}
_DATELINE_REACH = 14  # tokens of "PYONGYANG/SEOUL, June 19 (Meridian Wire) -"
_DASHES = {"—", "–", "-", "--"}
_ATTRIBUTION_REACH = 3  # tokens between "nach Angaben", "according to" and the reporting actor


@dataclass(frozen=True)
class ActorHit:
    """An actor mention in the sentence with what the cues say about it."""

    start: int
    end: int
    actor_id: str | None  # None: a person the dictionary does not know, coded by the office's state
    code: str
    text: str
    marked: str | None  # target, source, origin, co_source, between, locative, genitive (ru) or None
    group: int = -1  # index of its coordinated list, -1 when it stands alone


def preposition_mark(norm: str, cues: Cues, language: str) -> str | None:
    if norm in cues.between_preps:
        return "between"
    if norm in LOCATIVE_PREPS.get(language, set()):
        return "locative"
    if norm in cues.target_preps:
        return "target"
    if norm in cues.source_preps:
        return "source"
    if norm in cues.origin_preps:
        return "origin"
    return None


_PROPER_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"})


@lru_cache(maxsize=65536)
def russian_cases(word: str) -> frozenset[str]:
    """The cases a Russian word form may stand in; a capitalised word reads as a name first
    ("Путина" is the genitive of Путин, not the noun "путина")."""
    morph = morph_analyzer()
    if morph is None:
        return frozenset()
    parses = [parse for parse in morph.parse(word) if parse.tag.case]
    if word[:1].isupper():
        proper = [parse for parse in parses if _PROPER_TAGS & parse.tag.grammemes]
        parses = proper or parses
    return frozenset(parse.tag.case for parse in parses)


@lru_cache(maxsize=65536)
def russian_noun(word: str) -> bool:
    morph = morph_analyzer()
    return morph is not None and bool(morph.parse(word)) and morph.parse(word)[0].tag.POS == "NOUN"


@lru_cache(maxsize=65536)
def _russian_future_form(word: str) -> bool:
    morph = morph_analyzer()
    if morph is None:
        return False
    parses = morph.parse(word)
    return bool(parses) and parses[0].tag.POS == "VERB" and parses[0].tag.tense == "futr"


def russian_future(token, language: str) -> bool:
    """A Russian perfective future ("разместит", "подпишут") has no auxiliary to spot."""
    return language == "ru" and token.is_alpha and _russian_future_form(token.lower_)


def marked(doc: Doc, start: int, cues: Cues, language: str) -> str | None:
    """The role a preposition right before the mention gives it (skipping one article).

    Russian marks the object by case: a mention that cannot be nominative or genitive (dative
    "Украине", accusative "Россию") is a target.
    """
    for back in (1, 2):
        index = start - back
        if index < 0:
            break
        mark = preposition_mark(doc[index].norm_, cues, language)
        if (
            mark == "locative"
            and back == 2
            and doc[index + 1].lower_ in _DIRECTION_ARTICLES.get(language, ())
        ):
            return "target"  # German "in die Ukraine" (where to) against "in der Ukraine" (where)
        if mark == "locative" and language == "ru" and back == 1:
            cases = russian_cases(doc[start].text)
            if "accs" in cases and not cases & {"loct", "loc2", "ablt"}:
                return "target"  # "в Киев", "в Москву" (where to) against "в Москве" (where)
        if mark == "target" and index > 0 and doc[index - 1].norm_ in cues.together:
            return "co_source"  # "gemeinsam mit Schweden", "together with Sweden", "вместе с Китаем"
        if mark == "locative" and index > 0 and doc[index - 1].norm_ in cues.seat_nouns:
            return None  # "das Parlament in Ankara", "the government in Kyiv": who acts
        if mark:
            return mark
        if not (doc[index].is_alpha and len(doc[index]) <= 3):  # only an article may sit between
            break
    if language == "ru" and doc[start].is_alpha:
        cases = russian_cases(doc[start].text)
        if doc[start].norm_ != doc[start].lower_ and russian_noun(doc[start].lower_):
            cases = cases - {"nomn"}  # not the dictionary form: "Путина" is Путин in an oblique case
        if cases and not cases & {"nomn", "gent", "gen2"}:
            return "target"
        if cases and "nomn" not in cases:
            offices = load_office_words().get(language)
            if start and offices is not None and offices.is_office(doc[start - 1]):
                return None  # "глава Кремля", "президент России": the office holder acts
            return "genitive"  # "выступление Путина": belongs to a noun, never the subject
    return None


def _dateline_end(doc: Doc) -> int:
    """Token index where a leading dateline ends, 0 if there is none: "MOSCOW —", "Brüssel –",
    or a capitalised place line with date and agency, "PYONGYANG/SEOUL, June 19 (Meridian Wire) -"."""
    if len(doc) <= 8:
        return 0
    for index in range(1, min(4, len(doc))):
        if doc[index].text in _DASHES:
            return index if all(token.text[:1].isupper() for token in doc[:index]) else 0
    first = doc[0].text
    if len(first) > 2 and first.replace("/", "").replace("-", "").isalpha() and first.isupper():
        for index in range(1, min(_DATELINE_REACH, len(doc))):
            if doc[index].text in _DASHES:
                return index
    return 0


def actor_hits(
    doc: Doc, dictionary: ActorDictionary, day: date | None, cues: Cues, language: str
) -> list[ActorHit]:
    """Actor mentions resolved to a code on ``day``, with their marks and coordinated lists."""
    hits = []
    unresolved = doc.user_data.get(UNRESOLVED_KEY, {})
    dateline = _dateline_end(doc)
    for span in doc.spans.get(ACTOR_SPANS, []):
        if span.end <= dateline:
            continue
        if span.id_:
            actor_id, actor = span.id_, dictionary.by_id(span.id_)
        else:
            state = unresolved.get(f"{span.start_char}:{span.end_char}", {}).get("state_actor_id")
            actor_id, actor = None, dictionary.by_id(state) if state else None
        code = actor_code_on(actor, day) if actor else None
        if code:
            hits.append(
                ActorHit(
                    span.start, span.end, actor_id, code, span.text, marked(doc, span.start, cues, language)
                )
            )
    return _group_lists(doc, sorted(hits, key=lambda hit: hit.start), cues)


def _joins_list(doc: Doc, left: ActorHit, right: ActorHit, cues: Cues) -> str | None:
    """How two mentions are joined into a list: "comma", "coordinator" or None.

    Only a comma and/or a coordinator (and one determiner) may stand between them.
    """
    between = [token for token in doc[left.end : right.start]]
    words = [token.norm_ for token in between]
    if not words or len(words) > 3:
        return None
    how = "comma"
    if words[0] == ",":
        words = words[1:]
        if words and words[0] in cues.coordinators:
            words, how = words[1:], "coordinator"
    elif words[0] in cues.coordinators:
        words, how = words[1:], "coordinator"
    else:
        return None
    if not words:
        return how
    # One determiner may follow ("Australia, the United States and Britain", "und die Ukraine").
    word = words[0]
    determiner = (
        len(words) == 1
        and word.isalpha()
        and len(word) <= 3
        and word not in cues.relative_openers
        and preposition_mark(word, cues, "") is None
        and word not in cues.clause_prepositions
    )
    return how if determiner else None


def _same_case(doc: Doc, left: ActorHit, right: ActorHit, language: str) -> bool:
    """Russian list members share a case: "в Украину, Путин и Си" is no list."""
    if language != "ru":
        return True
    left_cases, right_cases = russian_cases(doc[left.start].text), russian_cases(doc[right.start].text)
    return not left_cases or not right_cases or bool(left_cases & right_cases)


def _group_lists(doc: Doc, hits: list[ActorHit], cues: Cues) -> list[ActorHit]:
    """Number the coordinated lists; later members take the first member's mark.

    A list needs a coordinator ("A, B und C"): "Pjöngjang, Russland ... zu unterstützen" is
    a comma between clauses, not a list.
    """
    runs: list[list[int]] = []
    coordinated: list[bool] = []
    for index, hit in enumerate(hits):
        how = None
        if index:
            how = _joins_list(doc, hits[index - 1], hit, cues)
            if how and not _same_case(doc, hits[index - 1], hit, cues.language):
                how = None
        if how:
            runs[-1].append(index)
            coordinated[-1] = coordinated[-1] or how == "coordinator"
        else:
            runs.append([index])
            coordinated.append(False)
    grouped = list(hits)
    group = 0
    for run, has_coordinator in zip(runs, coordinated, strict=True):
        if len(run) < 2 or not has_coordinator:
            continue
        first = hits[run[0]]
        for index in run:
            grouped[index] = replace(hits[index], group=group, marked=first.marked)
        group += 1
    return grouped


def list_commas(doc: Doc, hits: list[ActorHit]) -> frozenset[int]:
    commas = set()
    for left, right in pairwise(hits):
        if left.group >= 0 and left.group == right.group:
            commas.update(i for i in range(left.end, right.start) if doc[i].text == ",")
    return frozenset(commas)


def is_noun(doc: Doc, index: int, language: str) -> bool:
    """Whether the trigger token is a noun (then an actor glued to it modifies it)."""
    token = doc[index]
    if language == "de":
        return token.text[:1].isupper()
    if language == "ru":
        return russian_noun(token.lower_)
    before = index - 1
    if before >= 0 and doc[before].lower_ in POSSESSIVE:
        return True  # "Russia's war"
    # Skip a capitalised modifier ("the Russian invasion", "the US sanctions").
    while before >= 0 and index - before <= 3 and doc[before].text[:1].isupper() and before > 0:
        before -= 1
    return before >= 0 and (doc[before].lower_ in _EN_NOUN_CUES or not doc[before].is_alpha)


def without_attributions(doc: Doc, hits: list[ActorHit], cues: Cues) -> list[ActorHit]:
    """The mentions without those that name a source of the report ("по данным Сеула и
    Вашингтона", "nach Angaben Kiews", "according to Washington", "US-Angaben zufolge"): they
    report the event and take no part in it. A list after the word goes with its first member."""
    reporters: set[int] = set()
    for index, token in enumerate(doc):
        if token.norm_ in cues.attribution:
            after = [
                i
                for i, hit in enumerate(hits)
                if 0 < hit.start - index <= _ATTRIBUTION_REACH
                and not any(doc[j].norm_ in cues.attribution_before for j in range(index, hit.start))
            ]
            reporters.update(after[:1])  # "nach Angaben Kiews hat Russland ...": Kiews only
        elif token.norm_ in cues.attribution_before:
            reporters.update(i for i, hit in enumerate(hits) if 0 <= index - hit.end < _ATTRIBUTION_REACH)
    groups = {hits[i].group for i in reporters if hits[i].group >= 0}
    return [
        hit for i, hit in enumerate(hits) if i not in reporters and (hit.group < 0 or hit.group not in groups)
    ]


def adjectival(doc: Doc, hit: ActorHit, language: str) -> bool:
    """Whether the mention is an adjective or possessive ("russischen", "Russia's", "российской")."""
    first = doc[hit.start]
    if language == "de":
        return first.text[:1].islower()
    if language == "ru":
        morph = morph_analyzer()
        return morph is not None and morph.parse(first.lower_)[0].tag.POS in ("ADJF", "ADJS")
    after = doc[hit.end].lower_ if hit.end < len(doc) else ""
    before = doc[hit.start - 1].lower_ if hit.start > 0 else ""
    return after in POSSESSIVE or before in {"the", "a", "an"}
