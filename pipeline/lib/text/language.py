"""Language identification for documents and sentences (lingua, restricted to configured languages).

Restricting lingua to the languages the pipeline processes makes short sentences far more
reliable. Cyrillic text is decided by its script before asking lingua, which is both faster and
right for every Russian sentence; a sentence too short to judge keeps its document's language.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetectorBuilder

MIXED = "mixed"
_MIN_CHARS_TO_JUDGE = 25
# A second language must carry this share of a document's letters to call it mixed, or, when it
# is written in another script (a Russian headline over a German body), at least this many letters.
_MIXED_SHARE = 0.15
_MIXED_MIN_LETTERS_OTHER_SCRIPT = 40
_CYRILLIC_LANGUAGES = {"ru", "uk", "be", "bg", "sr", "mk", "kk"}


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]):
    codes = [IsoCode639_1.from_str(code) for code in languages]
    if len(codes) == 1:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()


def _cyrillic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") / len(letters)


def detect_language(text: str, languages: tuple[str, ...], default: str | None = None) -> str | None:
    """ISO 639-1 code of ``text`` among ``languages``; ``default`` when the text is too short."""
    letters = sum(1 for ch in text if ch.isalpha())
    if letters == 0:
        return default
    cyrillic = _cyrillic_share(text)
    if cyrillic > 0.5 and "ru" in languages:
        return "ru"
    if letters < _MIN_CHARS_TO_JUDGE and default is not None:
        return default
    detector = _detector(tuple(languages))
    if detector is None:
        return languages[0]
    if cyrillic < 0.05 and "ru" in languages and len(languages) > 1:
        # Latin script is never Russian; ask only among the other languages.
        others = tuple(code for code in languages if code != "ru")
        detector = _detector(others) if len(others) > 1 else None
        if detector is None:
            return others[0]
    found = detector.detect_language_of(text)
    if found is None:
        return default
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
