"""Language identification for documents and sentences (lingua, restricted to configured languages).

Restricting lingua to the languages the pipeline processes makes short sentences far more
reliable. The script is decided first: only configured languages written in the text's script
(Cyrillic or not) are candidates, which is faster and right for every Russian sentence when
Russian is the only Cyrillic language. A sentence too short to judge keeps its context's
language when that is written in the same script.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

MIXED = "mixed"
_MIN_CHARS_TO_JUDGE = 25
# A second language must carry this share of a document's letters to call it mixed, or, when it
# is written in another script, at least this many letters: a few words, as in a short Russian
# headline over a German body ("Путин прибыл в Минск").
_MIXED_SHARE = 0.15
_MIXED_MIN_LETTERS_OTHER_SCRIPT = 12
_CYRILLIC_LANGUAGES = {"ru", "uk", "be", "bg", "sr", "mk", "kk"}


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    codes = [IsoCode639_1.from_str(code) for code in languages]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()


def _cyrillic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") / len(letters)


def _same_script(text: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The configured languages written in the script of most of ``text``'s letters."""
    cyrillic = _cyrillic_share(text) > 0.5
    same = tuple(code for code in languages if (code in _CYRILLIC_LANGUAGES) == cyrillic)
    return same or languages


def detect_language(text: str, languages: tuple[str, ...], default: str | None = None) -> str | None:
    """ISO 639-1 code of ``text`` among ``languages``; ``default`` when the text is too short.

    Only languages written in the text's script are candidates, so a short German sentence in a
    Russian paragraph never inherits "ru" from its context, and Cyrillic text is Russian when
    Russian is the only Cyrillic language configured.
    """
    letters = sum(1 for ch in text if ch.isalpha())
    if letters == 0:
        return default
    candidates = _same_script(text, tuple(languages))
    fallback = default if default in candidates else None
    if len(candidates) == 1:
        return candidates[0]
    if letters < _MIN_CHARS_TO_JUDGE and fallback is not None:
        return fallback
    found = _detector(candidates).detect_language_of(text)
    if found is None:
        return fallback or candidates[0]
    return found.iso_code_639_1.name.lower()


def document_language(sentence_languages: list[tuple[str, int]]) -> str:
    """The document language from (language, letter count) per sentence; 'mixed' when two carry weight."""
    weights: Counter[str] = Counter()
    for language, size in sentence_languages:
        weights[language] += size
    if not weights:
        return "und"
    total = sum(weights.values())
    ranked = weights.most_common()
    main = ranked[0][0]
    for language, size in ranked[1:]:
        other_script = (language in _CYRILLIC_LANGUAGES) != (main in _CYRILLIC_LANGUAGES)
        if size / total >= _MIXED_SHARE or (other_script and size >= _MIXED_MIN_LETTERS_OTHER_SCRIPT):
            return MIXED
    return main
