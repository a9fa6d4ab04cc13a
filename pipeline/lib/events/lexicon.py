"""Event-trigger lexicon: pydantic models and a validating YAML loader.

The lexicon lives in ``pipeline/data/lexicons`` (see the README there):

* ``ontology.yaml``      the PLOVER event types, their modes and default CAMEO codes
* ``events.<lang>.yaml`` trigger entries per language
* ``cues.<lang>.yaml``   status/polarity/direction cue words per language

Everything is matched on token *norms* (lowercased lemmas), so every word in
these files must be lowercase and a single token. This module has no spaCy or
Dagster dependency so that it can be imported anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.lib.events.clauses import ClauseCues
from pipeline.lib.yaml_cache import load_yaml

DEFAULT_LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicons"

_CAMEO_RE = re.compile(r"^\d{2,4}$")


def _check_cameo(value: Any) -> str:
    """CAMEO codes are strings of 2 to 4 digits (YAML may hand over an int)."""
    value = str(value)
    if not _CAMEO_RE.match(value):
        raise ValueError(f"cameo must be a string of 2-4 digits, got {value!r}")
    return value


class _LexiconLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false are bools.

    YAML 1.1 turns the English words "on", "off", "yes" and "no" into booleans,
    which would silently corrupt word lists such as ``[call] + [[on, for]]``.
    """


_LexiconLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LexiconLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _flatten(value: Any) -> Any:
    """Flatten nested lists: YAML aliases of shared word groups nest inside flow lists."""
    if not isinstance(value, list):
        return value
    flat: list[Any] = []
    for item in value:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])
    return flat


def _check_words(words: list[str], what: str) -> list[str]:
    """Reject empty, non-lowercase or multi-token words (they could never match a norm)."""
    for word in words:
        if not word or word != word.lower() or any(ch.isspace() for ch in word):
            raise ValueError(f"{what} must be non-empty lowercase single tokens, got {word!r}")
    return words


class TriggerEntry(BaseModel):
    """One trigger: a token whose norm is in ``lemmas`` (plus context conditions)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    language: str
    type: str
    mode: str | None = None
    cameo: str
    lemmas: list[str] = Field(min_length=1)
    requires: list[list[str]] = []
    window: int = Field(default=8, ge=1, le=40)
    excludes: list[str] = []
    reverse: bool = False
    # When the trigger is a noun, the source must be an actor attached to it ("Russlands Krieg", "the Russian
    # invasion", "вторжение России") or named after an agent preposition ("by", "durch"): war
    # nouns name their aggressor this way, and without one the text names none.
    source_modifier_only: bool = False
    # The event needs two named partners acting together ("Russland und Belarus arbeiten an
    # ..."): only a list of actors as subject gives it, one pair per two members.
    pair_only: bool = False
    # The target must follow the trigger after a target preposition ("came to Belarus",
    # "приехал в Минск"): verbs too common to code without it.
    target_after: bool = False
    # German only: false = lemmas match whole tokens, never as a compound head. Needed for
    # verb stems of separable verbs ("greifen ... an"), which hide inside unrelated verbs.
    compound: bool = True
    examples: list[str] = []
    counterexamples: list[str] = []

    def __hash__(self) -> int:
        # Lists make the default pydantic hash fail; (language, id) is unique.
        return hash((self.language, self.id))

    _cameo_digits = field_validator("cameo", mode="before")(_check_cameo)

    @field_validator("lemmas", "excludes", mode="before")
    @classmethod
    def _flatten_words(cls, value: Any) -> Any:
        return _flatten(value)

    @field_validator("requires", mode="before")
    @classmethod
    def _flatten_groups(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [_flatten(group) for group in value]

    @field_validator("lemmas", "excludes")
    @classmethod
    def _lowercase_words(cls, value: list[str]) -> list[str]:
        return _check_words(value, "lemmas/excludes")

    @field_validator("requires")
    @classmethod
    def _requires_groups(cls, value: list[list[str]]) -> list[list[str]]:
        for group in value:
            if not group:
                raise ValueError("requires groups must not be empty")
            _check_words(group, "requires members")
        return value


class Cues(BaseModel):
    """Norms the event coder uses for status, polarity and argument direction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str
    negation: list[str]
    future: list[str]
    modal_speculative: list[str]
    conditional: list[str]
    announce: list[str]
    deny: list[str]
    target_preps: list[str]
    source_preps: list[str]
    # Optional: lowercase *surface* forms that mark the future where the lemma is
    # ambiguous (de "wird" vs. passive "wurde" both lemmatise to "werden",
    # ru "будет" vs. "был" both to "быть"). Compare with token.text.lower().
    future_surface: list[str] = []
    # Clause structure (pipeline/lib/events/clauses.py) and argument cues.
    relative_openers: list[str] = []
    complement_openers: list[str] = []
    adverbial_openers: list[str] = []
    clause_prepositions: list[str] = []
    infinitive_particle: str | None = None
    infinitive_openers: list[str] = []
    coordinators: list[str] = []
    origin_preps: list[str] = []
    # Openers of purpose clauses ("um ... zu", "damit", "чтобы"): what they say is an aim.
    purpose_openers: list[str] = []
    # Words before a meeting noun that refer back to a meeting already reported ("bei dem
    # Treffen", "during the talks", "на встрече"): the sentence takes that meeting's date.
    setting_words: list[str] = []
    setting_preps: list[str] = []
    # Before "mit"/"with"/"с": the actor after it acts together with the subject.
    together: list[str] = []
    # "zwischen X und Y", "between X and Y", "между X и Y": the pair of an undirected event.
    between_preps: list[str] = []
    # Source attributions: the actors in "nach Angaben X", "according to X", "по данным X" (after
    # the word) and "X zufolge" (before it) report the event; they take no part in it.
    attribution: list[str] = []
    attribution_before: list[str] = []
    # Institutions named by their seat: "das Parlament in Ankara" is Turkey acting.
    seat_nouns: list[str] = []
    # Adverbial openers of simultaneity ("als", "when", "когда"): such a clause shares its date.
    simultaneous: list[str] = []
    # Possessive pronouns before an event noun: the subject owns it ("Russia launched its war").
    possessives: list[str] = []
    # Personal pronouns that stand for the previous sentence's subject ("he", "er", "он").
    pronouns: list[str] = []
    # Before an event noun, a time phrase built on that event ("nach dem russischen Angriff").
    temporal_preps: list[str] = []
    # English writes "said on Friday that ..." without a comma: a complement opener after a verb
    # of saying (the `announce` words) starts a clause even without one.
    bare_complements: bool = False
    # After a comma (not inside a list of actors) these start a new main clause.
    clause_coordinators: list[str] = []

    def clause_cues(self) -> ClauseCues:
        """The clause openers in the form the clause splitter takes."""
        return ClauseCues(
            relative=frozenset(self.relative_openers),
            complement=frozenset(self.complement_openers),
            adverbial=frozenset(self.adverbial_openers),
            prepositions=frozenset(self.clause_prepositions),
            infinitive_particle=self.infinitive_particle,
            infinitive_openers=frozenset(self.infinitive_openers),
            saying=frozenset(self.announce) if self.bare_complements else frozenset(),
            clause_coordinators=frozenset(self.clause_coordinators),
        )

    @field_validator("*")
    @classmethod
    def _lowercase_words(cls, value: Any) -> Any:
        # Every word list holds norms: lowercase single tokens.
        return _check_words(value, "cue words") if isinstance(value, list) else value


class EventType(BaseModel):
    """A PLOVER event type from ontology.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    definition: str = Field(min_length=1)
    directed: bool
    modes: list[str] = []
    cameo: str
    # What an actor after an origin preposition ("aus", "from", "из") is: the source of the
    # event by default ("Soldaten aus Russland"), the target for withdrawals ("Abzug aus Mali").
    origin_role: str = Field(default="source", pattern="^(source|target)$")
    # What an actor after a locative preposition ("in Minsk") is: where it happened (default,
    # a last-resort target), or the target itself for deployments ("stationed in Belarus").
    locative_role: str = Field(default="place", pattern="^(place|target)$")
    # An event noun without an actor attached before it ("the offensive", not "the Russian
    # offensive") needs its target right after it ("an attack on Kyiv"); otherwise it is only
    # mentioned ("the participation of troops in the fighting").
    noun_needs_target: bool = False

    _cameo_digits = field_validator("cameo", mode="before")(_check_cameo)


class EventLexicon(BaseModel):
    """The whole lexicon: ontology, trigger entries and cues (both keyed by language)."""

    model_config = ConfigDict(frozen=True)

    ontology: dict[str, EventType]
    entries: dict[str, list[TriggerEntry]]
    cues: dict[str, Cues]

    def languages(self) -> list[str]:
        """Languages that have trigger entries, sorted."""
        return sorted(self.entries)

    def head_lemmas(self, language: str) -> set[str]:
        """All trigger lemmas of a language (the heads for the German compound rule)."""
        return {lemma for entry in self.entries.get(language, []) for lemma in entry.lemmas}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path, _LexiconLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at top level")
    return data


def _load_ontology(path: Path) -> dict[str, EventType]:
    data = _read_yaml(path)
    types = data.get("types")
    if not isinstance(types, dict) or not types:
        raise ValueError(f"{path.name}: expected a non-empty 'types' mapping")
    ontology: dict[str, EventType] = {}
    for name, body in types.items():
        if not isinstance(body, dict):
            raise ValueError(f"{path.name}: type {name!r} must be a mapping")
        try:
            ontology[name] = EventType(name=name, **body)
        except (ValidationError, TypeError) as exc:
            raise ValueError(f"{path.name}: type {name!r}: {exc}") from exc
    return ontology


def _load_entries(path: Path, language: str, ontology: dict[str, EventType]) -> list[TriggerEntry]:
    data = _read_yaml(path)
    # 'groups' only holds YAML anchors (shared word lists) referenced by the entries.
    unknown = set(data) - {"language", "entries", "groups"}
    if unknown:
        raise ValueError(f"{path.name}: unknown top-level keys {sorted(unknown)}")
    if data.get("language") != language:
        raise ValueError(f"{path.name}: 'language' must be {language!r}, got {data.get('language')!r}")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ValueError(f"{path.name}: expected a non-empty 'entries' list")
    entries: list[TriggerEntry] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_entries):
        label = raw.get("id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
        if not isinstance(raw, dict):
            raise ValueError(f"{path.name}: entry {label}: must be a mapping")
        try:
            entry = TriggerEntry(language=language, **raw)
        except (ValidationError, TypeError) as exc:
            raise ValueError(f"{path.name}: entry {label!r}: {exc}") from exc
        problem = _entry_problem(entry, ontology)
        if entry.id in seen:
            problem = f"duplicate id {entry.id!r}"
        if problem:
            raise ValueError(f"{path.name}: entry {entry.id!r}: {problem}")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def _entry_problem(entry: TriggerEntry, ontology: dict[str, EventType]) -> str | None:
    """Cross-checks that need the ontology; returns a message or None."""
    event_type = ontology.get(entry.type)
    if event_type is None:
        return f"type {entry.type!r} is not in ontology.yaml"
    if entry.mode is not None and entry.mode not in event_type.modes:
        return f"mode {entry.mode!r} is not a mode of {entry.type} ({event_type.modes})"
    overlap = set(entry.excludes) & set(entry.lemmas)
    if overlap:
        return f"excludes overlap lemmas: {sorted(overlap)}"
    return None


@lru_cache(maxsize=8)
def _load_cached(directory: Path) -> EventLexicon:
    ontology_path = directory / "ontology.yaml"
    if not ontology_path.is_file():
        raise ValueError(f"{directory}: ontology.yaml not found")
    ontology = _load_ontology(ontology_path)
    entries: dict[str, list[TriggerEntry]] = {}
    cues: dict[str, Cues] = {}
    for path in sorted(directory.glob("events.*.yaml")):
        language = path.name.split(".")[1]
        entries[language] = _load_entries(path, language, ontology)
    if not entries:
        raise ValueError(f"{directory}: no events.<lang>.yaml files")
    for language in entries:
        cue_path = directory / f"cues.{language}.yaml"
        if not cue_path.is_file():
            raise ValueError(f"{directory}: cues.{language}.yaml missing")
        data = _read_yaml(cue_path)
        try:
            cues[language] = Cues(**data)
        except (ValidationError, TypeError) as exc:
            raise ValueError(f"{cue_path.name}: {exc}") from exc
        if cues[language].language != language:
            raise ValueError(f"{cue_path.name}: 'language' must be {language!r}")
    return EventLexicon(ontology=ontology, entries=entries, cues=cues)


def load_event_lexicon(directory: Path | None = None) -> EventLexicon:
    """Load and validate the lexicon (cached per directory).

    Raises ValueError naming the file and entry when anything is malformed:
    unknown type, mode not defined for the type, CAMEO code not 2-4 digits,
    duplicate ids within a language, or lemmas that are empty/not lowercase.
    """
    return _load_cached(Path(directory or DEFAULT_LEXICON_DIR).resolve())
