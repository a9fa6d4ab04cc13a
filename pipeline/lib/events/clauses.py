"""Split a sentence into clauses without a parser, from punctuation and clause openers.

An event's actors, status words and date must come from the clause that reports it: in
"Lukaschenko, der seit 30 Jahren mit russischer Hilfe regiert, erlaubte Moskau ..." the relative
clause is background and its "Hilfe" must not be paired with the main clause's actors.

Rules (cue words per language in ``cues.<lang>.yaml``):

* ``;``, ``:`` and a spaced dash end one main clause and start another; brackets hold an aside,
  after which the interrupted clause goes on;
* a comma followed (after at most one preposition: "mit denen", "in which", "в котором") by an
  opener starts a subordinate clause: ``relative`` (der/which/который), ``complement``
  (dass/that/что) or ``adverbial`` (als/when/когда); in German a comma segment that ends in
  "zu <verb>" or starts with "um/ohne/statt" is an ``infinitive`` clause;
* a subordinate clause runs to the next comma or boundary; what follows (unless it opens a clause
  of its own) continues the clause that was interrupted ("X, das ..., unterzeichnete Y");
* a comma inside a list of actors ("Russland, Belarus und Armenien") is not a boundary;
* where commas are optional (English), "that" after a verb of saying opens a complement clause.

Tokens are given as (text, norm) pairs, so the module needs neither spaCy nor Dagster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HARD_BOUNDARIES = frozenset({";", ":", "—", "–", "(", ")", "[", "]"})
MAIN, RELATIVE, COMPLEMENT, ADVERBIAL, INFINITIVE = (
    "main",
    "relative",
    "complement",
    "adverbial",
    "infinitive",
)
PARENTHETICAL = "parenthetical"  # "(OVKS)": an aside in brackets
COORDINATE = "coordinate"  # ", und zog sie ab", ", but Sweden's bid ...": a main clause of its own
SUBORDINATE_KINDS = (RELATIVE, COMPLEMENT, ADVERBIAL, INFINITIVE)


@dataclass(frozen=True)
class ClauseCues:
    """The words that open subordinate clauses in one language (token norms)."""

    relative: frozenset[str]
    complement: frozenset[str]
    adverbial: frozenset[str]
    prepositions: frozenset[str]  # may stand before a relative pronoun ("mit denen")
    infinitive_particle: str | None = None  # German "zu"
    infinitive_openers: frozenset[str] = frozenset()  # German "um", "ohne", "statt"
    saying: frozenset[str] = frozenset()  # verbs of saying before a comma-less "that" (English)
    clause_coordinators: frozenset[str] = frozenset()  # ", and/but X ...": a new main clause


@dataclass(frozen=True)
class Clause:
    """One clause: its id, kind, the clause it depends on (None for main clauses)."""

    index: int
    kind: str
    parent: int | None
    opener: str | None = None  # the word that opened it ("um", "dass", "when"), if any


def _opener_kind(norms: Sequence[str], position: int, cues: ClauseCues) -> str | None:
    """The kind of clause that the words at ``position`` (right after a comma) open, if any."""
    if position >= len(norms):
        return None
    first = norms[position]
    if first in cues.infinitive_openers:
        return INFINITIVE
    for offset in (0, 1):
        if position + offset >= len(norms):
            break
        word = norms[position + offset]
        if offset == 1 and first not in cues.prepositions:
            break
        if word in cues.relative:
            return RELATIVE
        if offset == 0 and word in cues.complement:
            return COMPLEMENT
        if offset == 0 and word in cues.adverbial:
            return ADVERBIAL
    return None


def _segment_end(
    norms: Sequence[str], texts: Sequence[str], start: int, list_commas: frozenset[int] = frozenset()
) -> int:
    """Index of the next comma (not inside a list of actors) or hard boundary from ``start``."""
    for index in range(start, len(norms)):
        if (texts[index] == "," and index not in list_commas) or texts[index] in HARD_BOUNDARIES:
            return index
    return len(norms)


def _is_infinitive_segment(norms: Sequence[str], start: int, end: int, cues: ClauseCues) -> bool:
    """German: the comma segment ends in "zu <verb>" (after dropping final punctuation)."""
    if cues.infinitive_particle is None:
        return False
    words = [i for i in range(start, end) if norms[i].isalpha()]
    return len(words) >= 2 and norms[words[-2]] == cues.infinitive_particle


def _leading_clause(
    texts: Sequence[str],
    norms: Sequence[str],
    start: int,
    cues: ClauseCues,
    clauses: list[Clause],
    of_token: list[int],
) -> int:
    """A clause that opens a main clause ("Als X angriff, bat Y ..."): mark it, return where the main goes on.

    The main clause is the last one in ``clauses``; the leading clause depends on it.
    """
    if start >= len(norms) or norms[start] not in cues.adverbial | cues.complement:
        return start
    end = _segment_end(norms, texts, start)
    if end >= len(norms) or texts[end] != ",":
        return start
    main = clauses[-1].index
    kind = ADVERBIAL if norms[start] in cues.adverbial else COMPLEMENT
    clauses.append(Clause(len(clauses), kind, main, norms[start]))
    for position in range(start, end):
        of_token[position] = len(clauses) - 1
    for position in range(end, len(of_token)):
        of_token[position] = main
    return end + 1


def split_clauses(
    texts: Sequence[str],
    norms: Sequence[str],
    cues: ClauseCues,
    list_commas: frozenset[int] = frozenset(),
    actor_starts: frozenset[int] = frozenset(),
) -> tuple[list[int], list[Clause]]:
    """(clause index of every token, the clauses).

    ``list_commas``: token indices of commas inside lists of actors; ``actor_starts``: where actor
    mentions begin (English "after Russia launched ..." opens a clause without a comma).
    """
    clauses = [Clause(0, MAIN, None)]
    of_token = [0] * len(texts)
    current = 0
    index = _leading_clause(texts, norms, 0, cues, clauses, of_token)
    while index < len(texts):
        text = texts[index]
        if text == "(" and ")" in texts[index + 1 :]:
            # "(OVKS)", "(Reuters)": an aside; the interrupted clause goes on after it.
            end = texts.index(")", index + 1) + 1
            index = _open(clauses, of_token, PARENTHETICAL, current, None, index, end)
            continue
        if text in HARD_BOUNDARIES:
            clauses.append(Clause(len(clauses), MAIN, None))
            current = len(clauses) - 1
            of_token[index] = current
            index = _leading_clause(texts, norms, index + 1, cues, clauses, of_token)
            continue
        if (
            text == ","
            and index not in list_commas
            and index + 1 < len(norms)
            and norms[index + 1] in cues.clause_coordinators
        ):
            # "..., and Hungary's parliament ratified it", "..., aber Schweden ...": a clause of its
            # own, which borrows the subject of the one before when it has none ("..., und zog ab").
            clauses.append(Clause(len(clauses), COORDINATE, current, norms[index + 1]))
            current = len(clauses) - 1
            of_token[index] = current
            index += 1
            continue
        if text == "," and index not in list_commas:
            end = _segment_end(norms, texts, index + 1, list_commas)
            # "..., der Ukraine zu gestatten": the article is no relative pronoun here.
            if _is_infinitive_segment(norms, index + 1, end, cues):
                kind = INFINITIVE
            else:
                kind = _opener_kind(norms, index + 1, cues)
            if kind is not None:
                # After the subordinate clause, the interrupted clause goes on.
                opener = norms[index + 1] if index + 1 < len(norms) else None
                index = _open(clauses, of_token, kind, current, opener, index, end)
                continue
        kind = None
        if cues.saying and index and norms[index] in cues.adverbial and index + 1 in actor_starts:
            kind = ADVERBIAL  # "three months after Russia launched its invasion": its own subject
        elif _bare_complement(norms, texts, index, cues):
            kind = COMPLEMENT  # "Peskov said on Friday that Russia had sent troops"
        if kind is not None:
            end = _segment_end(norms, texts, index, list_commas)
            index = _open(clauses, of_token, kind, current, norms[index], index, end)
            continue
        of_token[index] = current
        index += 1
    return of_token, clauses


def _open(
    clauses: list[Clause],
    of_token: list[int],
    kind: str,
    parent: int,
    opener: str | None,
    start: int,
    end: int,
) -> int:
    """Add a clause of ``kind`` over tokens start..end-1 depending on ``parent``; return ``end``."""
    clauses.append(Clause(len(clauses), kind, parent, opener))
    for position in range(start, end):
        of_token[position] = len(clauses) - 1
    return end


_SAYING_REACH = 5  # tokens between a verb of saying and its comma-less "that" ("said on Friday that")


def _bare_complement(norms: Sequence[str], texts: Sequence[str], index: int, cues: ClauseCues) -> bool:
    """A complement opener right after a verb of saying, with no comma before it."""
    if not cues.saying or norms[index] not in cues.complement or index == 0 or texts[index - 1] == ",":
        return False
    return any(norms[j] in cues.saying for j in range(max(0, index - _SAYING_REACH), index))
