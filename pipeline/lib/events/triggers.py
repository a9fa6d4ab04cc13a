"""Find event triggers in a lemmatised sentence (pure Python, no spaCy).

The spaCy component hands us the sentence's token norms (lowercased lemmas);
:class:`TriggerIndex` returns which lexicon entries fire at which token.

Matching a lexicon word ``w`` against a token norm ``n``:

* exact: ``n == w`` (after ``ё`` -> ``е``, so Russian spellings with and
  without ``ё`` agree), where ``n`` may also be
  - German: a hyphen part ("nato-gipfel" -> "nato", "gipfel") or the norm
    without one ending ``-en/-er/-n/-e/-s``;
  - English: a singular guess ("riots" -> "riot"): the lookup table is
    case-sensitive and leaves sentence-initial plurals alone;
  - Russian: the lexicon word of which ``n`` is an ambiguous form that spaCy's
    pymorphy3 lemmatizer returned unchanged ("порты" -> "порт");
* German only, compound head: the lookup lemmatizer leaves unknown compounds
  untouched ("waffenlieferungen"), so ``n`` (or a variant above) may *end
  with* ``w`` when ``len(w) >= 4`` and the remaining prefix has at least 3
  characters ("waffenlieferung" -> "lieferung"). A prefix that is a bare verb
  particle ("über"+"treffen", "vor"+"schlagen") is not a compound modifier,
  and entries with ``compound: false`` never match as a head.

An entry fires at token ``i`` if a lemma matches there, every ``requires``
group has a member matching some other token within ``window`` tokens, and no
``excludes`` word matches within the window (the trigger token included, so
"cyberangriff" can veto the generic "angriff" entry).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.lib.events.lexicon import TriggerEntry, load_event_lexicon
from pipeline.lib.nlp.morphology import morph_analyzer
from pipeline.lib.yaml_cache import remembered

# Endings the German lookup table leaves on unknown (compound) nouns.
GERMAN_ENDINGS = ("en", "er", "n", "e", "s")
# Separable/inseparable verb particles: "übertreffen" is not a kind of "treffen".
GERMAN_PARTICLES = frozenset(
    {
        "ab",
        "an",
        "auf",
        "aus",
        "bei",
        "dar",
        "durch",
        "ein",
        "fort",
        "her",
        "heraus",
        "herein",
        "herum",
        "hin",
        "hinaus",
        "hinein",
        "hinter",
        "los",
        "mit",
        "nach",
        "über",
        "um",
        "unter",
        "vor",
        "voran",
        "vorbei",
        "weg",
        "wider",
        "zurück",
    }
)
MIN_HEAD = 4  # shortest lexicon word usable as a compound head
MIN_PREFIX = 3  # shortest modifier in front of the head
MIN_STEM = 3  # shortest stem left after stripping an ending


@dataclass(frozen=True)
class TriggerMatch:
    """An entry that fired, and the index of its trigger token."""

    entry: TriggerEntry
    token_index: int


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


KNOWN_NORMS = 500_000  # norms whose trigger keys an index remembers


class TriggerIndex:
    """Lemma -> entries index for one language; build once, call :meth:`find` per sentence."""

    def __init__(self, entries: list[TriggerEntry], language: str) -> None:
        """Index ``entries`` of ``language`` (entries of other languages are ignored)."""
        self.language = language
        self._known_keys: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.compounds = language == "de"
        self.entries = [e for e in entries if e.language == language]
        self._by_lemma: dict[str, list[int]] = {}
        # Lemmas of entries with compound=False: they only fire on an exact match.
        self._exact_only: list[frozenset[str]] = []
        self._requires: list[list[frozenset[str]]] = []
        self._excludes: list[frozenset[str]] = []
        vocab: set[str] = set()
        for pos, entry in enumerate(self.entries):
            lemmas = frozenset(_fold(w) for w in entry.lemmas)
            for lemma in lemmas:
                self._by_lemma.setdefault(lemma, []).append(pos)
            self._exact_only.append(frozenset() if entry.compound else lemmas)
            groups = [frozenset(_fold(w) for w in group) for group in entry.requires]
            self._requires.append(groups)
            self._excludes.append(frozenset(_fold(w) for w in entry.excludes))
            vocab.update(lemmas, *groups, self._excludes[-1])
        self._vocab = frozenset(vocab)
        self._aliases = russian_aliases(self._vocab) if language == "ru" else {}
        # Only words of >= MIN_HEAD characters can be compound heads.
        self._heads = frozenset(w for w in vocab if len(w) >= MIN_HEAD)

    def _variants(self, norm: str) -> set[str]:
        """The norm plus (German) its hyphen parts and forms with one ending stripped."""
        forms = {norm}
        forms.update(self._aliases.get(norm, ()))
        if self.language == "en":
            # The English lookup table is case-sensitive: sentence-initial "Riots" or
            # "Negotiations" stay plural. Add a singular guess (exact matching only).
            if norm.endswith("ies") and len(norm) > 4:
                forms.add(norm[:-3] + "y")
            elif norm.endswith("s") and not norm.endswith("ss") and len(norm) > 3:
                forms.add(norm[:-1])
        if not self.compounds:
            return forms
        # "nato-gipfel", "taurus-raketen": each part also counts as a word of its own.
        if "-" in norm:
            forms.update(part for part in norm.split("-") if len(part) >= 2)
        out = set(forms)
        for form in forms:
            for ending in GERMAN_ENDINGS:
                if form.endswith(ending) and len(form) - len(ending) >= MIN_STEM:
                    out.add(form[: -len(ending)])
        return out

    def token_keys(self, norm: str) -> tuple[frozenset[str], frozenset[str]]:
        """Lexicon words matching ``norm``: (exact matches, compound-head matches), remembered
        per norm (a corpus repeats its words; German compounds are tried at every split)."""
        known = self._known_keys.get(norm)
        if known is None:
            known = self._token_keys(norm)
            if len(self._known_keys) < KNOWN_NORMS:
                self._known_keys[norm] = known
        return known

    def _token_keys(self, norm: str) -> tuple[frozenset[str], frozenset[str]]:
        norm = _fold(norm)
        variants = self._variants(norm)
        exact = frozenset(v for v in variants if v in self._vocab)
        if not self.compounds:
            return exact, frozenset()
        heads = set()
        for variant in variants:
            # k = length of the modifier; the head is variant[k:].
            for k in range(MIN_PREFIX, len(variant) - MIN_HEAD + 1):
                head = variant[k:]
                if head in self._heads and variant[:k] not in GERMAN_PARTICLES:
                    heads.add(head)
        return exact, frozenset(heads - exact)

    def find(self, norms: Sequence[str]) -> list[TriggerMatch]:
        """All entries firing in a sentence given its token norms, ordered by token.

        Per token, entries of different types are all kept; within one type only
        the most specific survives (most ``requires`` groups, then an exact
        rather than compound match, then the earlier entry in the file).
        """
        keys = [self.token_keys(n) for n in norms]
        every = [exact | heads for exact, heads in keys]
        matches: list[TriggerMatch] = []
        for i, (exact, heads) in enumerate(keys):
            best: dict[str, tuple[tuple[int, int, int], int]] = {}
            for via_exact, words in ((1, exact), (0, heads)):
                for word in words:
                    for pos in self._by_lemma.get(word, ()):
                        if not via_exact and word in self._exact_only[pos]:
                            continue
                        if not self._context_ok(pos, i, every):
                            continue
                        rank = (len(self._requires[pos]), via_exact, -pos)
                        type_ = self.entries[pos].type
                        if type_ not in best or rank > best[type_][0]:
                            best[type_] = (rank, pos)
            for _, pos in sorted(best.values(), key=lambda item: item[1]):
                matches.append(TriggerMatch(self.entries[pos], i))
        return matches

    def _context_ok(self, pos: int, i: int, every: list[frozenset[str]]) -> bool:
        window = self.entries[pos].window
        lo, hi = max(0, i - window), min(len(every), i + window + 1)
        excludes = self._excludes[pos]
        if excludes and any(not excludes.isdisjoint(every[j]) for j in range(lo, hi)):
            return False
        for group in self._requires[pos]:
            if not any(j != i and not group.isdisjoint(every[j]) for j in range(lo, hi)):
                return False
        return True


def russian_aliases(vocab: frozenset[str]) -> dict[str, frozenset[str]]:
    """:func:`_russian_aliases`, remembered across processes per vocabulary and pymorphy3 version
    (listing every form of every word takes about a second)."""
    versions = []
    for distribution in ("pymorphy3", "pymorphy3-dicts-ru"):
        try:
            versions.append(importlib.metadata.version(distribution))
        except importlib.metadata.PackageNotFoundError:
            versions.append("absent")
    key = "\n".join(["russian-aliases", *versions, *sorted(vocab)]).encode()
    return remembered(key, lambda: _russian_aliases(vocab))


def _russian_aliases(vocab: frozenset[str]) -> dict[str, frozenset[str]]:
    """Map ambiguous Russian word forms to the lexicon lemmas they inflect.

    spaCy's pymorphy3 lemmatizer, running without POS tags, gives up on forms
    with several possible lemmas and returns the form itself ("порты", "стоит",
    "убит", "вину"). We list every inflected form of every lexicon word and keep
    those that are ambiguous in this way, so that they still match.
    """
    morph = morph_analyzer()
    if morph is None:
        return {}
    aliases: dict[str, set[str]] = {}
    for word in vocab:
        for parse in morph.parse(word):
            if _fold(parse.normal_form) != word:
                continue
            for form in parse.lexeme:
                surface = _fold(form.word)
                if surface != word:
                    aliases.setdefault(surface, set()).add(word)
    return {
        surface: frozenset(words)
        for surface, words in aliases.items()
        if len({_fold(p.normal_form) for p in morph.parse(surface)}) > 1
    }


@lru_cache(maxsize=16)
def get_trigger_index(language: str, directory: Path | None = None) -> TriggerIndex:
    """The process-wide TriggerIndex for ``language`` built from the default lexicon."""
    lexicon = load_event_lexicon(directory)
    return TriggerIndex(lexicon.entries.get(language, []), language)
