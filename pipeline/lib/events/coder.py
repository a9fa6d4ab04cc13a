"""Code PLOVER events from one analysed sentence: trigger, source, target, status, date, place.

No parser is available offline, so the coder works from cues that hold across de/en/ru news
(the actor mentions and their marks come from mentions.py, the clauses from clauses.py):

* **Clauses** (clauses.py): an event's actors, status words and date come from the clause of
  its trigger. A relative clause borrows its antecedent ("Lukaschenko, der ..."), a that- or
  infinitive clause without a subject borrows the subject of the clause it depends on
  ("Germany announced that it would send ...").
* **Source:** an actor after an agent preposition ("durch", "by", "со стороны"); an actor
  attached to a trigger noun ("Russlands Krieg", "the Russian invasion", "вторжение России");
  the first unmarked actor of the clause before the trigger; an actor after an origin
  preposition ("Soldaten aus Russland"); the first unmarked actor after it. War nouns take only
  the attached or agent actor (``source_modifier_only``): without one the text names no aggressor.
* **Target:** an actor after a target preposition ("an Belarus", "to Ukraine", "в Белоруссию") or
  in the Russian dative or accusative ("Украине", "Россию"), then the unmarked actors, and an
  actor after a locative preposition ("in Minsk") only as a last resort. Withdrawals take the
  origin as target ("Abzug aus Kasachstan"). Lexicon entries marked ``reverse`` ("erhielt",
  "received") swap the roles.
* **Lists:** every member of a coordinated list ("Russland, Belarus und Armenien") takes the role
  of the list, so one trigger may give several events; "X und Y unterzeichneten" gives the pair.
* **Content, not events:** what is requested, rejected, alleged or agreed ("forderte Putin auf,
  Waffen zu stationieren", "refused to support Russia", "ein Abkommen über Zusammenarbeit") is
  part of that event, not an event of its own. Within a clause one dyad gets one event type (the
  most specific), meetings apart.
* Speculation, conditionals and commentary ("Analysts say ...") are not events; negation and
  future are read in the clause.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Doc, Span

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.entities import SentenceContext
from pipeline.lib.events.clauses import (
    ADVERBIAL,
    COMPLEMENT,
    COORDINATE,
    INFINITIVE,
    RELATIVE,
    Clause,
    split_clauses,
)
from pipeline.lib.events.lexicon import Cues, EventLexicon, EventType, TriggerEntry
from pipeline.lib.events.marking import TRIGGER_SPANS, trigger_marker
from pipeline.lib.events.mentions import (
    GENITIVE_ARTICLES,
    LOCATIVE_PREPS,
    POSSESSIVE,
    ActorHit,
    actor_hits,
    adjectival,
    is_noun,
    list_commas,
    marked,
    russian_cases,
    russian_future,
    without_attributions,
)
from pipeline.lib.nlp.persons import load_office_words
from pipeline.lib.places import find_place
from pipeline.lib.text.dates import find_dates

# Words that may stand between a noun trigger and the actor attached to it.
_MAX_DISTANCE = 40  # tokens between trigger and actor: a guard for clauses that run on
_NEGATION_BEFORE, _NEGATION_AFTER = 5, 4
_MODAL_BEFORE, _MODAL_AFTER = 6, 4
_GOVERNED_GAP = 6  # tokens between a governing word and the clause it governs
_COMPLEMENT_GAP = 3  # tokens between a noun (or its genitive) and the actor of its complement
_SETTING_START = 4  # "Bei dem Treffen ..." stands within the first tokens of the sentence
REFERS_BACK = "_refers_back"  # row key (not published): the sentence is set at an earlier meeting
_ATTACHED = 2  # tokens between a trigger and an actor after its preposition
_BACKGROUND_REACH = 5  # tokens from "nach", "since", "до" to the event noun of a time phrase
_AGENT_GAP = 2  # tokens between an agent ("von Russland", "by Russia") and its trigger
# What is requested, rejected, alleged or agreed is the content of that event.
GOVERNING_TYPES = ("REQUEST", "REJECT", "ACCUSE", "AGREE")
# Several types for one dyad in one clause: keep the most specific (earlier in this list).
TYPE_PRIORITY = (
    "AGREE",
    "ASSAULT",
    "AID",
    "MOBILIZE",
    "SANCTION",
    "COERCE",
    "THREATEN",
    "RETREAT",
    "REJECT",
    "REQUEST",
    "ACCUSE",
    "PROTEST",
    "CONCEDE",
    "COOPERATE",
    "SUPPORT",
)
COEXISTING_TYPES = ("CONSULT",)


@dataclass(frozen=True)
class _Scene:
    """What the coder knows about one sentence."""

    doc: Doc
    language: str
    cues: Cues
    hits: list[ActorHit]
    of_token: list[int]
    clauses: list[Clause]
    background: dict[int, set[int]]


def _clause_hits(scene: _Scene, trigger: Span) -> list[ActorHit]:
    """The actors the trigger's clause offers: its own, plus a borrowed antecedent or subject."""
    clause = scene.clauses[scene.of_token[trigger.start]]
    own = [
        hit
        for hit in scene.hits
        if scene.of_token[hit.start] == clause.index and abs(hit.start - trigger.start) <= _MAX_DISTANCE
    ]
    if clause.parent is None:
        return own
    first = scene.of_token.index(clause.index)
    parent_hits = [hit for hit in scene.hits if scene.of_token[hit.start] == clause.parent]
    doc = scene.doc
    if clause.kind == RELATIVE:
        antecedent = next((hit for hit in parent_hits if hit.end == first), None)
        if antecedent is not None:
            pronoun = next(
                (
                    i
                    for i in range(first + 1, min(first + 3, len(doc)))
                    if doc[i].norm_ in scene.cues.relative_openers
                ),
                None,
            )
            if pronoun is not None:
                mark = marked(doc, pronoun, scene.cues, "")
                own.append(replace(antecedent, start=pronoun, end=pronoun + 1, marked=mark, group=-1))
    elif clause.kind in (COMPLEMENT, INFINITIVE, COORDINATE):
        # An infinitive never names its subject: its actors are objects ("..., Russland zu unterstützen").
        has_subject = clause.kind != INFINITIVE and any(
            hit.marked is None and hit.start < trigger.start for hit in own
        )
        if not has_subject:
            # "Germany said that it would send": the subject; "erlaubte Moskau, ... zu entsenden",
            # "urged NATO allies to send": the infinitive's subject is the last actor before it.
            unmarked = [hit for hit in parent_hits if hit.marked is None and hit.end <= first]
            if clause.kind == INFINITIVE:
                # Whoever is allowed or asked is the nearest actor before, in whichever clause
                # ("gestattete der Ukraine, Ziele zu treffen").
                unmarked = [hit for hit in scene.hits if hit.marked is None and hit.end <= first][::-1]
            subject = unmarked[0] if unmarked else None
            if subject is not None:
                members = [hit for hit in parent_hits if subject.group >= 0 and hit.group == subject.group]
                for hit in members or [subject]:
                    own.append(replace(hit, start=first, end=first, marked=None))
    return sorted(own, key=lambda hit: (hit.start, hit.end))


def _modifiers(scene: _Scene, trigger: Span, entry: TriggerEntry, near: list[ActorHit]) -> list[ActorHit]:
    """Actors attached to the trigger: right before it, or in the genitive right after a noun."""
    doc, language = scene.doc, scene.language
    noun = is_noun(doc, trigger.start, language)
    attached = []
    for hit in near:
        gap = [token.lower_ for token in doc[hit.end : trigger.start]]
        glued = hit.end <= trigger.start and (not gap or gap in (["'s"], ["’s"]))
        # After a preposition only an adjective belongs to the noun ("gegen den russischen
        # Angriffskrieg"); "против Индии санкции" is the preposition's own object.
        if glued and noun and (hit.marked is None or adjectival(doc, hit, language)):
            attached.append(hit)
    # A genitive after the noun is its agent only for war nouns ("вторжение России"); after
    # "поддержка", "Unterstützung" it is the object ("поддержки РФ"): left to the target.
    if noun and not attached and _owned_by_subject(doc, trigger, scene.cues):
        # "Russia launched its invasion", "supplying Russia with drones for its war": the owner is
        # the nearest actor before it.
        owners = [
            hit for hit in near if hit.end <= trigger.start and hit.marked in (None, "target", "genitive")
        ]
        attached = owners[-1:]
    if noun and not attached and entry.source_modifier_only:
        after = trigger.end
        if after < len(doc) and doc[after].lower_ in GENITIVE_ARTICLES.get(language, set()):
            after += 1
        # "визита президента США": one lowercase title may stand between noun and genitive.
        if (
            language == "ru"
            and after < len(doc)
            and doc[after].is_lower
            and not any(h.start == after for h in near)
        ):
            after += 1
        for hit in near:
            if hit.start != after or hit.marked not in (None, "genitive"):
                continue
            genitive = (language == "ru" and bool(russian_cases(doc[hit.start].text) & {"gent", "gen2"})) or (
                language == "de" and (after > trigger.end or hit.text.endswith("s"))
            )
            if genitive:
                attached.append(hit)
    return _with_list(attached, near)


def _background_tokens(doc: Doc, language: str, cues: Cues) -> dict[int, set[int]]:
    """Tokens of time phrases built on another event ("nach dem russischen Angriff auf die Ukraine",
    "since the Russian invasion began", "до начала вторжения России"), per trigger token.

    The phrase runs from its temporal preposition to a few tokens after the trigger noun; its
    actors belong to that event and to no other trigger of the sentence.
    """
    phrases: dict[int, set[int]] = {}
    for span in doc.spans.get(TRIGGER_SPANS, []):
        if not is_noun(doc, span.start, language):
            continue
        for back in range(1, _BACKGROUND_REACH + 1):
            index = span.start - back
            if index < 0 or doc[index].text in {",", ";", ":"}:
                break
            if doc[index].norm_ in cues.temporal_preps:
                phrases[span.start] = set(range(index, min(len(doc), span.end + _COMPLEMENT_GAP + 1)))
                break
    return phrases


def _in_time_phrase_of_other(scene: _Scene, trigger: Span, hit: ActorHit) -> bool:
    """Whether the mention sits in the time phrase of another event (see _background_tokens)."""
    return any(
        start != trigger.start and hit.start in tokens and trigger.start not in tokens
        for start, tokens in scene.background.items()
    )


def _owned_by_subject(doc: Doc, trigger: Span, cues: Cues) -> bool:
    """A possessive pronoun within three tokens before the noun ("its full-scale invasion")."""
    for back in (1, 2, 3):
        index = trigger.start - back
        if index < 0 or doc[index].text in {",", ";", ":"}:
            return False
        if doc[index].norm_ in cues.possessives or doc[index].lower_ in cues.possessives:
            return True
    return False


def _with_list(chosen: list[ActorHit], near: list[ActorHit]) -> list[ActorHit]:
    """The chosen mentions with the other members of their coordinated lists."""
    if not chosen:
        return []
    groups = {hit.group for hit in chosen if hit.group >= 0}
    members = [hit for hit in near if hit in chosen or (hit.group >= 0 and hit.group in groups)]
    return members


def _locative_fallback(entry: TriggerEntry, event_type: EventType) -> bool:
    """Whether "in X" may stand in for a missing target: a visit's host, an attack's country.

    Not for meetings and agreements: "met in Astana" names the venue, not a participant.
    """
    return event_type.directed or entry.mode == "visit"


def _pick_arguments(
    scene: _Scene, trigger: Span, entry: TriggerEntry, event_type: EventType
) -> tuple[list[ActorHit], list[ActorHit], bool] | None:
    """(sources, targets, fallback_used) for the trigger, or None when the clause has no dyad."""
    near = [
        hit
        for hit in _clause_hits(scene, trigger)
        if not (hit.start <= trigger.start < hit.end) and not _in_time_phrase_of_other(scene, trigger, hit)
    ]
    if len({hit.code for hit in near}) < 2:
        return None
    left = [h for h in near if h.end <= trigger.start]
    right = [h for h in near if h.start >= trigger.end]
    agents = [
        h
        for h in near
        if h.marked == "source"
        and (
            trigger.start - h.end <= _AGENT_GAP
            if h.end <= trigger.start
            else h.start - trigger.end <= _AGENT_GAP + 1
        )
    ]
    origin = [h for h in near if h.marked == "origin"]
    origin_role = event_type.origin_role
    if entry.reverse:
        # "Belarus erhielt Raketen aus Russland / von Russland": the giver is the target until
        # the roles are swapped.
        origin, agents, origin_role = origin + agents, [], "target"
    between = _with_list(
        [h for h in right if h.marked == "between" and h.start - trigger.end <= _COMPLEMENT_GAP][:1], near
    )
    if len({h.code for h in between}) >= 2:
        # "ties between Moscow and Pyongyang", "Gespräche zwischen Kim und Schoigu": the pair
        # after the noun is the dyad, not the subject of the sentence.
        return (between, between, False) if not event_type.directed else None
    modifiers = [] if agents else _modifiers(scene, trigger, entry, near)
    sources = _with_list(agents[:1], near) or modifiers
    noun = is_noun(scene.doc, trigger.start, scene.language)
    noun_only = entry.source_modifier_only and noun
    # A bare event noun ("the offensive", "den Kämpfen") names its target right after it or is
    # only mentioned: "Russia launched an attack on Kyiv" against "the participation in the fighting".
    bare_noun = noun and not sources and event_type.noun_needs_target
    if noun:
        # Actors after a noun are its complements, and an origin far from it is another verb's.
        origin = [h for h in origin if h.start - trigger.end <= _COMPLEMENT_GAP]
    if not sources and noun_only:
        return None
    if not sources:
        first = next((h for h in left if h.marked is None), None)
        if first is None and origin_role == "source" and origin:
            first = origin[0]
        if first is None and not bare_noun:
            first = next((h for h in right if h.marked is None), None)
        if first is None:
            # "силы России и Китая начали учения": the genitive names who acts.
            first = next((h for h in left if h.marked == "genitive"), None)
        sources = _with_list([first], near) if first else []
    if not sources:
        return None
    if not entry.reverse and not modifiers:
        # "Helsinki stellte gemeinsam mit Schweden den Antrag": the subject's companion (a noun's
        # own aggressor keeps its event to itself).
        sources = sources + [h for h in near if h.marked == "co_source" and h not in sources]
    taken = {h.code for h in sources}
    own_object = any(
        h.code not in taken and h.marked != "locative" and _attached(scene.doc, trigger, h) for h in right
    )  # "met in Astana" names the venue, not an object
    if (
        not event_type.directed
        and len(taken) >= 2
        and all(h.marked in (None, "genitive") for h in sources)
        and not own_object
    ):
        # "X und Y unterzeichneten": the list is both sides of an undirected event (unless the
        # trigger has its own object: "X und Y wurden Mitglieder der BRICS").
        return sources, sources, False
    if entry.pair_only:
        return None
    after_source = min(h.start for h in sources)
    target_marks = {"target", "locative"} if event_type.locative_role == "target" else {"target"}

    def distance(hit: ActorHit) -> tuple[int, int]:
        return (abs(hit.start - trigger.start), hit.start < trigger.start)

    # The direct object right after the trigger ("accused Iran of ...", "warf Stockholm vor").
    objects = [h for h in right if h.marked is None and h.start - trigger.end <= 1]
    # A noun's own complement: "Russlands Krieg in der Ukraine", "вторжения России в Украину".
    complements = []
    if modifiers:
        after = max([trigger.end] + [h.end for h in modifiers if h.start >= trigger.end])
        complements = sorted(
            (
                h
                for h in near
                if after <= h.start <= after + _COMPLEMENT_GAP and h.marked not in ("source", "origin")
            ),
            key=lambda h: h.start,
        )
    ranked = (
        complements
        + objects
        + (origin if origin_role == "target" else [])
        + sorted((h for h in near if h.marked in target_marks), key=distance)
        + [h for h in right if h.marked is None]
        + [h for h in left if h.marked is None and h.start > after_source]
        + [h for h in left if h.marked is None]
        + [h for h in near if h.marked == "genitive"]
        + ([h for h in near if h.marked == "locative"] if _locative_fallback(entry, event_type) else [])
    )
    source_lists = {h.group for h in sources if h.group >= 0}
    if modifiers and noun_only:
        ranked = complements  # a war noun's target is its complement or nothing
    if bare_noun:
        ranked = [
            h
            for h in right
            if h.start - trigger.end <= _COMPLEMENT_GAP and h.marked in ("target", "locative", None)
        ]
    if entry.target_after:
        ranked = [h for h in right if h.marked == "target" and h.start - trigger.end <= _ATTACHED]
    target = next(
        (h for h in ranked if h.code not in taken and h not in sources and h.group not in source_lists), None
    )
    if target is None:
        return None
    targets = _with_list([target], near)
    fallback = target.marked == "locative" or (
        target.marked is None and target.start < trigger.start and target.start < after_source
    )
    return sources, targets, fallback


def _clause_range(scene: _Scene, clause: int | None) -> list[int]:
    """The clause's tokens (a clause interrupted by a relative clause has a gap)."""
    return [i for i, c in enumerate(scene.of_token) if c == clause]


def _status(scene: _Scene, trigger: Span) -> tuple[str | None, bool]:
    """(status or None for speculation/conditional, negated), read in the trigger's clause."""
    doc, cues = scene.doc, scene.cues
    norms = [token.norm_ for token in doc]
    if norms and norms[0] in cues.conditional:
        return None, False
    clause = scene.clauses[scene.of_token[trigger.start]]
    span = _clause_range(scene, clause.index)
    if clause.kind == ADVERBIAL and any(norms[i] in cues.conditional for i in span[:2]):
        return None, False  # "..., falls Russland angreift"
    if clause.opener in cues.purpose_openers:
        return None, False  # "..., um die Armee des Verbündeten zu stärken": an aim
    same = set(span)
    window = range(max(0, trigger.start - _MODAL_BEFORE), min(len(doc), trigger.end + _MODAL_AFTER))
    if any(norms[i] in cues.modal_speculative for i in window if i in same):
        return None, False
    window = range(max(0, trigger.start - _NEGATION_BEFORE), min(len(doc), trigger.end + _NEGATION_AFTER))
    negated = any(norms[i] in cues.negation for i in window if i in same)
    if clause.kind in (COMPLEMENT, INFINITIVE):
        # "hat nicht die Absicht, Soldaten zu stationieren", "did not say that": the governing clause.
        opening = span[0]
        negated = negated or any(
            norms[i] in cues.negation and scene.of_token[i] == clause.parent
            for i in range(max(0, opening - _NEGATION_BEFORE), opening)
        )
    # "Moscow denied that it had sent troops": a denial in the clause or the one it depends on.
    denial_scope = same | (set(_clause_range(scene, clause.parent)) if clause.kind == COMPLEMENT else set())
    negated = negated or any(norms[i] in cues.deny for i in denial_scope)
    # Auxiliaries whose lemma hides the tense ("wird"/"wurde" -> werden) count by their spelling.
    scope = same | (set(_clause_range(scene, clause.parent)) if clause.kind == COMPLEMENT else set())
    future = any(
        doc[i].norm_ in cues.future
        or doc[i].lower_ in cues.future_surface
        or russian_future(doc[i], scene.language)
        for i in scope
    )
    if not future and clause.kind == INFINITIVE and clause.opener not in cues.purpose_openers:
        # "kündigte an, Panzer zu liefern": what is announced lies ahead.
        parent = set(_clause_range(scene, clause.parent))
        if any(norms[i] in cues.announce or norms[i] in cues.future for i in parent):
            return "announced", negated
    if not future:
        return "occurred", negated
    announced = any(norm in cues.announce for norm in norms)
    return ("announced" if announced else "planned"), negated


def _date_in_clause(scene: _Scene, trigger: Span, reference: date | None, status: str = "occurred"):
    """The date expression of the trigger's clause nearest to the trigger, if any."""
    doc = scene.doc
    clause = scene.clauses[scene.of_token[trigger.start]]
    by_clause: dict[int, list] = {}
    for mention in find_dates(doc.text, reference):
        if mention.value is None:
            continue
        span = doc.char_span(mention.start, max(mention.start + 1, mention.end), alignment_mode="expand")
        if span is not None:
            by_clause.setdefault(scene.of_token[span.start], []).append(mention)
    mentions = by_clause.get(clause.index, [])
    if not mentions:
        # A "when" clause and the clause it belongs to share their time: "On Tuesday, when Xi held
        # talks ...", "Als Truppen im September 2022 angriffen, bat Eriwan ..." (not "after" or
        # "before": "in May 2022, three months after Russia launched its invasion").
        if (
            clause.kind == ADVERBIAL
            and clause.parent is not None
            and clause.opener in scene.cues.simultaneous
        ):
            mentions = by_clause.get(clause.parent, [])
        elif clause.kind in (COMPLEMENT, INFINITIVE) and clause.parent is not None and status != "occurred":
            # "Germany announced on April 13 that it would send ...": an announced event is dated
            # by its announcement (a reported past event is not: "said on Friday that ... had sent").
            mentions = by_clause.get(clause.parent, [])
        else:
            for child in scene.clauses:
                if (
                    child.parent == clause.index
                    and child.kind == ADVERBIAL
                    and child.opener in scene.cues.simultaneous
                ):
                    mentions.extend(by_clause.get(child.index, []))
    if not mentions:
        return None
    return min(mentions, key=lambda m: abs(m.start - trigger.start_char))


def _location(doc: Doc, language: str):
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


def _governed(scene: _Scene, triggers: list[tuple[Span, TriggerEntry]]) -> set[int]:
    """Token indices of triggers that are the content of a request, refusal, accusation or agreement.

    Also a trigger whose own infinitive or that-clause holds a trigger of the same type: in
    "verpflichtet sich, Russland zu unterstützen" the clause after the comma carries the event.
    """
    governed = set()
    for trigger, entry in triggers:
        clause = scene.of_token[trigger.start]
        for other, other_entry in triggers:
            child = scene.clauses[scene.of_token[other.start]]
            if (
                other_entry.type == entry.type
                and child.parent == clause
                and child.kind in (COMPLEMENT, INFINITIVE)
                and 0 <= scene.of_token.index(child.index) - trigger.end <= _GOVERNED_GAP
            ):
                governed.add(trigger.start)
    for gov, gov_entry in triggers:
        if gov_entry.type not in GOVERNING_TYPES:
            continue
        clause = scene.of_token[gov.start]
        kinds = (COMPLEMENT, INFINITIVE, RELATIVE) if gov_entry.type == "AGREE" else (COMPLEMENT, INFINITIVE)
        # A dependent clause is the content only when it follows the governing word closely
        # ("forderte Putin auf, ... zu stationieren", "einen Vertrag unterzeichnet, der ...").
        scope = {clause} | {
            c.index
            for c in scene.clauses
            if c.parent == clause
            and c.kind in kinds
            and 0 <= scene.of_token.index(c.index) - gov.end <= _GOVERNED_GAP
        }
        for other, entry in triggers:
            if entry.type in (gov_entry.type, *COEXISTING_TYPES) or scene.of_token[other.start] not in scope:
                continue
            if other.start in scene.background:
                continue  # "nach dem russischen Angriff": a time phrase, not what is requested
            if entry.source_modifier_only and is_noun(scene.doc, other.start, scene.language):
                continue  # "drones for its war in Ukraine": the war is a fact, not the allegation
            same_clause = scene.of_token[other.start] == clause
            if same_clause and scene.language != "de" and other.start < gov.start:
                continue  # the object follows the verb outside German
            governed.add(other.start)
    return governed


def _commentary(doc: Doc, language: str, cues: Cues) -> bool:
    """An analyst's or expert's assessment ("Analysts say ...", "sagt der Politologe X"): no events."""
    words = load_office_words().get(language)
    if words is None:
        return False
    says = any(token.norm_ in cues.announce for token in doc)
    return says and any(words.is_expert(token) for token in doc)


def _attached(doc: Doc, trigger: Span, hit: ActorHit) -> bool:
    """An actor that belongs to the trigger: glued before it ("Russlands Krieg"), right after it
    ("accused Iran"), or after a preposition that follows it ("Unterstützung für Russland")."""
    if hit.end == trigger.start or (hit.end == trigger.start - 1 and doc[hit.end].lower_ in POSSESSIVE):
        return True
    if hit.start == trigger.end:
        return True
    return hit.marked is not None and trigger.end <= hit.start <= trigger.end + _ATTACHED


def _refers_back(scene: _Scene, lexicon: EventLexicon) -> bool:
    """Whether the sentence is set at a meeting the text has already reported ("Bei dem Treffen
    forderte ...", "During the talks ...", "На этой встрече ..."): a meeting noun after a
    preposition and a definite article or demonstrative at the start of the sentence."""
    doc, cues = scene.doc, scene.cues
    for span in doc.spans.get(TRIGGER_SPANS, []):
        if (
            span.label_ != "CONSULT"
            or span.start > _SETTING_START
            or not is_noun(doc, span.start, scene.language)
        ):
            continue
        before = [token.norm_ for token in doc[max(0, span.start - 3) : span.start]]
        # A preposition and a definite word: "Bei dem Treffen", "during the talks", "на этой встрече".
        if set(before) & set(cues.setting_words) and set(before) & set(cues.setting_preps):
            return True
    return False


def _priority(event_type: str) -> int:
    return TYPE_PRIORITY.index(event_type) if event_type in TYPE_PRIORITY else len(TYPE_PRIORITY)


def sentence_subject(
    doc: Doc, language: str, lexicon: EventLexicon, dictionary: ActorDictionary
) -> ActorHit | None:
    """The first actor of the sentence that no preposition or case marks: who a "he" in the next
    sentence most likely is."""
    cues = lexicon.cues.get(language)
    if cues is None:
        return None
    context = SentenceContext.from_doc(doc)
    hits = without_attributions(
        doc, actor_hits(doc, dictionary, context.published_date, cues, language), cues
    )
    return next((hit for hit in hits if hit.marked is None), None)


def _with_pronouns(
    doc: Doc, hits: list[ActorHit], previous: ActorHit | None, cues: Cues, language: str
) -> list[ActorHit]:
    """``hits`` plus, for each personal pronoun ("er", "he", "он"), the previous sentence's subject."""
    if previous is None or not cues.pronouns:
        return hits
    taken = {i for hit in hits for i in range(hit.start, hit.end)}
    added = [
        replace(
            previous, start=i, end=i + 1, text=token.text, marked=marked(doc, i, cues, language), group=-1
        )
        for i, token in enumerate(doc)
        if token.lower_ in cues.pronouns and i not in taken
    ]
    return sorted(hits + added, key=lambda hit: hit.start) if added else hits


def events_for_sentence(
    doc: Doc,
    language: str,
    lexicon: EventLexicon,
    dictionary: ActorDictionary,
    previous_subject: ActorHit | None = None,
) -> list[dict]:
    """Event rows for one analysed sentence (before story grouping).

    ``previous_subject``: the subject of the sentence before in the same document, for "he"/"er"/"он".
    """
    cues = lexicon.cues.get(language)
    if cues is None:
        return []
    if TRIGGER_SPANS not in doc.spans:  # stored sentences carry no triggers: the lexicon marks them
        trigger_marker(language, lexicon)(doc)
    spans = doc.spans[TRIGGER_SPANS]
    if not spans:
        return []
    context = SentenceContext.from_doc(doc)
    entries = {entry.id: entry for entry in lexicon.entries.get(language, [])}
    hits = without_attributions(
        doc, actor_hits(doc, dictionary, context.published_date, cues, language), cues
    )
    hits = _with_pronouns(doc, hits, previous_subject, cues, language)
    if len({hit.code for hit in hits}) < 2:
        return []
    texts = [token.text for token in doc]
    norms = [token.norm_ for token in doc]
    of_token, clauses = split_clauses(
        texts, norms, cues.clause_cues(), list_commas(doc, hits), frozenset(hit.start for hit in hits)
    )
    scene = _Scene(doc, language, cues, hits, of_token, clauses, _background_tokens(doc, language, cues))
    if _commentary(doc, language, cues):
        return []
    triggers = [(span, entries[span.id_]) for span in spans if span.id_ in entries]
    governed = _governed(scene, triggers)
    candidates: list[tuple[Span, TriggerEntry, ActorHit, ActorHit, bool, str, bool]] = []
    for trigger, entry in triggers:
        if trigger.start in governed:
            continue
        status, negated = _status(scene, trigger)
        if status is None:
            continue
        arguments = _pick_arguments(scene, trigger, entry, lexicon.ontology[entry.type])
        if arguments is None:
            continue
        sources, targets, fallback = arguments
        if entry.reverse:
            sources, targets = targets, sources
        for source in sources:
            for target in targets:
                if source.code != target.code:
                    candidates.append((trigger, entry, source, target, fallback, status, negated))
    return _rows(scene, context, lexicon, candidates)


def _rows(scene: _Scene, context: SentenceContext, lexicon: EventLexicon, candidates: list) -> list[dict]:
    """One row per type and dyad; within a clause one type per dyad (the most specific)."""
    # A trigger with an actor right at it ("Unterstützung für Russland") beats one whose actors
    # stand apart; then the more specific type wins.
    ranks: dict[tuple[int, frozenset[str]], tuple[int, int]] = {}
    best_type: dict[tuple[int, frozenset[str]], str] = {}
    for trigger, entry, source, target, *_ in candidates:
        if entry.type in COEXISTING_TYPES:
            continue
        key = (scene.of_token[trigger.start], frozenset((source.code, target.code)))
        attached = any(_attached(scene.doc, trigger, hit) for hit in (source, target))
        rank = (0 if attached else 1, _priority(entry.type))
        if key not in ranks or rank < ranks[key]:
            ranks[key], best_type[key] = rank, entry.type
    rows: dict[tuple[str, str, str], dict] = {}
    doc = scene.doc
    refers_back = _refers_back(scene, lexicon)
    for trigger, entry, source, target, fallback, status, negated in candidates:
        key_clause = (scene.of_token[trigger.start], frozenset((source.code, target.code)))
        if entry.type not in COEXISTING_TYPES and best_type.get(key_clause) != entry.type:
            continue
        directed = lexicon.ontology[entry.type].directed
        key_pair = (source.code, target.code) if directed else tuple(sorted((source.code, target.code)))
        key = (entry.type, *key_pair)
        if key in rows:
            continue
        found_date = _date_in_clause(scene, trigger, context.published_date, status)
        place = _location(doc, scene.language)
        rows[key] = {
            "event_id": event_id(context.doc_id, context.sentence_index, entry.type, *key_pair),
            "doc_id": context.doc_id,
            "sentence_index": context.sentence_index,
            "char_start": context.char_start,
            "char_end": context.char_start + len(doc.text),
            "evidence": doc.text,
            "language": scene.language,
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
            REFERS_BACK: refers_back,
        }
    return list(rows.values())
