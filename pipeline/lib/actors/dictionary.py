"""Actor dictionary: pydantic models and a cached YAML loader.

The dictionary lists the actors the pipeline recognises in news text (states, persons,
organisations and national sub-actors) together with their surface names per language and
date-bounded roles. Data lives in ``pipeline/data/actors/*.yaml`` (format described in the
README there); this module only models, validates and indexes it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from pipeline.lib.yaml_cache import load_yaml

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "actors"

_ISO3 = re.compile(r"^[A-Z]{3}$")
_LANG = re.compile(r"^[a-z]{2}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")

# libyaml's loader is ~10x faster on the 250-state file; fall back to the pure-Python one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Role(BaseModel):
    """A date-bounded position of a person; ``end`` None means the role is ongoing."""

    model_config = ConfigDict(extra="forbid")

    title: str
    country: str | None = None
    start: date | None = None
    end: date | None = None
    # Code of the organisation the role belongs to (e.g. "NATO" for its Secretary General);
    # optional addition to the agreed API, None for national offices.
    org: str | None = None

    def contains(self, day: date) -> bool:
        """True if ``day`` lies within [start, end] (open bounds count as unbounded)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


SurfaceForms = dict[str, list[str]]


class Actor(BaseModel):
    """One actor with its surface forms in several languages and its roles over time."""

    model_config = ConfigDict(extra="forbid")

    actor_id: str
    kind: Literal["STATE", "PERSON", "ORG"]
    name: str
    code: str | None = None
    country: str | None = None
    wikidata_id: str | None = None
    parent: str | None = None
    sector: str | None = None
    names: SurfaceForms = {}
    adjectives: SurfaceForms = {}
    demonyms: SurfaceForms = {}
    metonyms: SurfaceForms = {}
    roles: list[Role] = []

    @field_validator("names", "adjectives", "demonyms", "metonyms", mode="before")
    @classmethod
    def _clean_forms(cls, value: object) -> object:
        # YAML may yield None for an empty mapping; strings are stripped and deduplicated so that
        # hand edits cannot introduce whitespace variants of the same form.
        if value is None:
            return {}
        if not isinstance(value, dict):
            return value
        cleaned: dict[object, object] = {}
        for lang, forms in value.items():
            if not _LANG.match(str(lang)):
                raise ValueError(f"unknown language key {lang!r} (expected a 2-letter code)")
            if forms is None:
                forms = []
            if not isinstance(forms, list):
                raise ValueError(f"forms for {lang!r} must be a list")
            out: list[str] = []
            for form in forms:
                if not isinstance(form, str) or not form.strip():
                    raise ValueError(f"empty or non-string form in {lang!r}: {form!r}")
                form = " ".join(form.split())
                if form not in out:
                    out.append(form)
            cleaned[lang] = out
        return cleaned

    def role_on(self, day: date | None) -> Role | None:
        """Return the role valid on ``day``: the latest-starting role containing it, else None.

        With ``day`` None (undated text) no role can be chosen and None is returned.
        """
        if day is None:
            return None
        best: Role | None = None
        for role in self.roles:
            if role.contains(day) and (best is None or (role.start or date.min) >= (best.start or date.min)):
                best = role
        return best

    def country_on(self, day: date | None) -> str | None:
        """Return the country of the role valid on ``day``, else the default ``country``.

        A role with country None (e.g. NATO Secretary General) yields None on purpose: on that
        day the person acts for an international organisation, not for a state.
        """
        role = self.role_on(day)
        return role.country if role is not None else self.country


class ActorDictionary(BaseModel):
    """All actors with lookups by id and by code."""

    actors: list[Actor]
    _by_id: dict[str, Actor] = PrivateAttr(default_factory=dict)
    _by_code: dict[str, Actor] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: object) -> None:
        """Build the id and code indexes once after validation."""
        self._by_id = {a.actor_id: a for a in self.actors}
        self._by_code = {a.code: a for a in self.actors if a.code}

    def by_id(self, actor_id: str) -> Actor:
        """Return the actor with ``actor_id``; raise KeyError if there is none."""
        try:
            return self._by_id[actor_id]
        except KeyError:
            raise KeyError(f"unknown actor_id {actor_id!r}") from None

    def by_code(self, code: str) -> Actor | None:
        """Return the actor with ``code`` (ISO alpha-3 for states, short code for orgs)."""
        return self._by_code.get(code)

    def of_kind(self, kind: str) -> list[Actor]:
        """Return all actors of one kind ("STATE", "PERSON" or "ORG")."""
        return [a for a in self.actors if a.kind == kind]


def _check_actor(actor: Actor) -> list[str]:
    """Kind-specific rules that pydantic field types cannot express."""
    errors: list[str] = []
    if not actor.name.strip():
        errors.append("empty name")
    if not any(actor.names.values()):
        errors.append("no surface names")
    if actor.kind == "STATE":
        if not actor.code or not _ISO3.match(actor.code):
            errors.append(f"STATE code must be 3 uppercase letters, got {actor.code!r}")
        if actor.country != actor.code:
            errors.append(f"STATE country {actor.country!r} must equal code {actor.code!r}")
    elif actor.kind == "PERSON":
        if actor.code is not None:
            errors.append("PERSON must not have a code")
        if not actor.country and not actor.roles:
            errors.append("PERSON needs a country or roles")
    if actor.code is not None and not _CODE.match(actor.code):
        errors.append(f"bad code {actor.code!r}")
    if actor.country is not None and not _ISO3.match(actor.country):
        errors.append(f"country must be ISO alpha-3, got {actor.country!r}")
    if actor.wikidata_id is not None and not re.match(r"^Q[1-9][0-9]*$", actor.wikidata_id):
        errors.append(f"bad wikidata_id {actor.wikidata_id!r}")
    for role in actor.roles:
        if role.start and role.end and role.start > role.end:
            errors.append(f"role {role.title!r} starts {role.start} after it ends {role.end}")
        if role.country is not None and not _ISO3.match(role.country):
            errors.append(f"role {role.title!r} country must be ISO alpha-3")
    return errors


def _read_file(path: Path) -> list[Actor]:
    """Parse one YAML file into actors, raising ValueError that names file and actor."""
    try:
        raw = load_yaml(path, _YamlLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML: {exc}") from exc
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of actor records at top level")
    actors: list[Actor] = []
    for index, record in enumerate(raw):
        label = record.get("actor_id", f"#{index}") if isinstance(record, dict) else f"#{index}"
        try:
            actor = Actor.model_validate(record)
        except ValidationError as exc:
            raise ValueError(f"{path}: actor {label}: {exc}") from exc
        errors = _check_actor(actor)
        if errors:
            raise ValueError(f"{path}: actor {label}: " + "; ".join(errors))
        actors.append(actor)
    return actors


def _check_references(actors: list[Actor], origin: dict[str, Path]) -> None:
    """Cross-file rules: unique ids and codes, existing parents, countries and role orgs."""
    states = {a.code for a in actors if a.kind == "STATE"}
    orgs = {a.code for a in actors if a.kind == "ORG" and a.code}
    codes = Counter(a.code for a in actors if a.code)
    for actor in actors:
        where = f"{origin[actor.actor_id]}: actor {actor.actor_id}"
        if actor.code and codes[actor.code] > 1:
            raise ValueError(f"{where}: code {actor.code!r} used by more than one actor")
        if actor.parent is not None and actor.parent not in origin:
            raise ValueError(f"{where}: unknown parent {actor.parent!r}")
        # Only enforce known countries when states are loaded, so small test fixtures work.
        countries = [actor.country] + [r.country for r in actor.roles]
        for country in countries:
            if states and country is not None and country not in states:
                raise ValueError(f"{where}: unknown country {country!r}")
        for role in actor.roles:
            if role.org is not None and role.org not in orgs:
                raise ValueError(f"{where}: role {role.title!r} has unknown org {role.org!r}")


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path) -> ActorDictionary:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ValueError(f"{directory}: no *.yaml actor files found")
    actors: list[Actor] = []
    origin: dict[str, Path] = {}
    for path in files:
        for actor in _read_file(path):
            if actor.actor_id in origin:
                raise ValueError(
                    f"{path}: actor {actor.actor_id}: duplicate actor_id "
                    f"(already defined in {origin[actor.actor_id]})"
                )
            origin[actor.actor_id] = path
            actors.append(actor)
    _check_references(actors, origin)
    return ActorDictionary(actors=actors)


def load_actor_dictionary(directory: Path | None = None) -> ActorDictionary:
    """Load and validate every ``*.yaml`` file in ``directory`` (default: pipeline/data/actors).

    Results are cached per resolved directory, so repeated calls return the same object; treat
    it as read-only. Raises ValueError naming the file and actor when the data is invalid.
    """
    return _load_cached(Path(directory or DEFAULT_DIRECTORY).resolve())
