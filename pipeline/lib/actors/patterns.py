"""Span-ruler patterns generated from the actor dictionary, with inflected forms.

Patterns match on NORM, which the pipeline sets to the lowercase lemma of each token, and the
pattern texts pass through the same lemmatizer: Russian cases therefore match through pymorphy3
lemmas ("Белоруссии" -> "белоруссия"). German proper names are not in the lookup table, so their
genitive and adjective endings are generated here ("Russlands", "russischen"). Short all-caps
abbreviations ("US", "EU", "РФ") match by exact spelling so that "us" the pronoun never does.

Each pattern's id is ``<actor_id>#<form>``; the mention filter uses the form to demand a capital
letter where the language writes one (a name, unlike a German adjective) and then strips it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pipeline.lib.actors.dictionary import Actor, ActorDictionary

FORMS = ("name", "adj", "dem", "met")
_ABBREVIATION_MAX = 5
_GERMAN_ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")


def _german_name_forms(name: str) -> set[str]:
    """Nominative plus genitive (-s, -es) of the head, and weak endings of attributive words."""
    words = name.split()
    last = words[-1]
    heads = {last}
    if last[-1:].isalpha() and last[-1].lower() not in "sxzß":
        heads.add(last + "s")
    if last[-1:].isalpha() and last[-1].lower() not in "aeiouyäöü" and len(last) > 3:
        # Strong nouns also take -es: "des Unionsstaates", "des Sicherheitsrates", "des Kongresses".
        heads.add(last + "es")
    prefixes = [[]]
    for word in words[:-1]:
        variants = {word}
        if word.endswith("e") and word[:1].isupper():  # "Russische Föderation" -> "Russischen ..."
            variants |= {word + "n", word + "r", word + "s", word + "m"}
        prefixes = [[*p, v] for p in prefixes for v in sorted(variants)]
    return {" ".join([*prefix, head]) for prefix in prefixes for head in heads}


def _german_demonym_forms(word: str) -> set[str]:
    if word.endswith("e"):
        return {word, word + "n", word + "r"}
    if word.endswith("er"):
        return {word, word + "n", word + "in", word + "innen"}
    return {word, word + "en", word + "n"}


def surface_forms(actor: Actor, language: str) -> dict[str, set[str]]:
    """All surface strings of ``actor`` in ``language`` by form (name, adj, dem, met)."""
    forms: dict[str, set[str]] = {form: set() for form in FORMS}
    for name in actor.names.get(language, []):
        forms["name"] |= _german_name_forms(name) if language == "de" else {name}
    for name in actor.metonyms.get(language, []):
        forms["met"] |= _german_name_forms(name) if language == "de" else {name}
    for adjective in actor.adjectives.get(language, []):
        if language == "de":
            stem = adjective[:-1] if adjective.endswith("e") else adjective
            forms["adj"] |= {stem + ending for ending in _GERMAN_ADJECTIVE_ENDINGS}
        else:
            forms["adj"].add(adjective)
    for demonym in actor.demonyms.get(language, []):
        if language == "de":
            forms["dem"] |= _german_demonym_forms(demonym)
        elif language == "en" and not demonym.endswith(("s", "ese")):
            forms["dem"] |= {demonym, demonym + "s"}
        else:
            forms["dem"].add(demonym)
    return forms


def is_abbreviation(surface: str) -> bool:
    """Short all-caps names (US, EU, РФ, КНДР) that must match with their exact spelling."""
    letters = surface.replace(".", "")
    return len(letters) <= _ABBREVIATION_MAX and letters.isupper() and " " not in surface


def _unambiguous(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop surfaces that several actors claim: the dictionary cannot tell them apart."""
    owners: dict[str, set[str]] = defaultdict(set)
    entries = list(entries)
    for surface, actor_id, _ in entries:
        owners[surface.lower()].add(actor_id)
    return [entry for entry in entries if len(owners[entry[0].lower()]) == 1]


def actor_patterns(dictionary: ActorDictionary, language: str) -> list[dict]:
    """SpanRuler patterns for ``language``: phrase patterns on NORM, exact token patterns for abbreviations."""
    entries: list[tuple[str, str, str]] = []
    labels: dict[str, str] = {}
    for actor in dictionary.actors:
        labels[actor.actor_id] = actor.kind
        for form, surfaces in surface_forms(actor, language).items():
            entries.extend((surface, actor.actor_id, form) for surface in surfaces if surface.strip())
    patterns: list[dict] = []
    for surface, actor_id, form in sorted(set(_unambiguous(entries))):
        if form == "name" and surface[:1].islower():
            # Written in lowercase in the dictionary ("russischen Armee", "российская армия"):
            # the text may too, like an adjective, so the mention filter must not demand a capital.
            form = "adj"
        pattern_id = f"{actor_id}#{form}"
        if is_abbreviation(surface):
            patterns.append({"label": labels[actor_id], "id": pattern_id, "pattern": [{"ORTH": surface}]})
        else:
            patterns.append({"label": labels[actor_id], "id": pattern_id, "pattern": surface})
    return patterns


def single_word_surfaces(dictionary: ActorDictionary, language: str) -> frozenset[str]:
    """Actor surfaces of one word (names, abbreviations, metonyms, adjective forms), lowercased.

    Used to split German hyphen compounds whose parts name actors ("US-Präsident",
    "OVKS-Truppen", "finnisch-russische") so that the parts can be recognised.
    """
    words = set()
    for surface, _, _ in _unambiguous(
        (surface, actor.actor_id, form)
        for actor in dictionary.actors
        for form, surfaces in surface_forms(actor, language).items()
        for surface in surfaces
    ):
        if surface.strip() and " " not in surface and "-" not in surface:
            words.add(surface.lower())
    return frozenset(words)
