"""Sentence segmentation with spaCy: the language's tokenizer, the sentencizer and boundary rules.

The blank tokenizers keep German ordinals ("am 6. April") and many abbreviations ("z. B.", "Dr.",
"г.") in one token, so the sentencizer does not split there. ``sentence_boundary_fixes`` then
reviews every token as a possible sentence start, knowing the text of the sentence so far, with
the abbreviation groups and sentence openers of ``data/text/sentence_boundaries.yaml``:

- a sentence never starts with a lowercase word (joins splits after abbreviations the tokenizer
  does not know, such as Russian "т. е." or "гг.");
- after an abbreviation that never ends a sentence (titles, "z. B.", "им."), after an initial
  ("В. В. Путин") or before a number after "No."/"Art." there is no boundary;
- after an abbreviation that often closes a sentence ("usw.", "и т. д.", "2024 г.", "руб."), a
  capitalised word starts a sentence when it is a function word that opens sentences ("Die",
  "The", "Это") or when a clause of several words precedes it (a fronted "В 2024 г." does not);
- after an attributive abbreviation or a German ordinal ("U.S.", "Mio.", "25.") only a function
  word opens a sentence, so "the U.S. Senate" and "im 2. Weltkrieg" stay whole;
- an ellipsis ends a sentence before a capitalised word, except an omission "[…]" in a quote;
- an opening quote belongs to the sentence it opens ("… Vertrag. „Wir …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.tokens import Doc, Token

from pipeline.lib.settings import PACKAGE_DATA

RULES_FILE = PACKAGE_DATA / "text" / "sentence_boundaries.yaml"
_SUPPORTED_BLANK = {"de", "en", "ru", "fr", "es", "it", "pl", "uk", "nl", "pt"}
_QUOTES = set("„“”‚‘’«»‹›\"'")
_ELLIPSES = ["…", "..."]
# A clause of at least this many words before "usw." or "2024 г." makes it the sentence's end.
_MIN_CLAUSE_WORDS = 4
_INITIAL_RE = re.compile(r"(?<!\w)[A-ZÄÖÜА-ЯЁ]\.$")
_ORDINAL_RE = re.compile(r"\d+\.")
# "[…]" (an omission in a quote) or "(!)" and "(sic!)" (an editor's aside) end no sentence.
_ASIDE_RE = re.compile(r"[(\[]\s*(?:sic\s*)?(?:…|\.{3}|[!?]+)\s*[)\]]$")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class BoundaryRules:
    """Compiled abbreviation groups (each matches text ending in one) and sentence openers."""

    never_final: re.Pattern[str]
    before_number: re.Pattern[str]
    attributive: re.Pattern[str]
    closing: re.Pattern[str]
    openers: frozenset[str]


def _tail(words: Iterable[str], patterns: Iterable[str] = (), capitalised: bool = False) -> re.Pattern[str]:
    """A pattern for text ending in one of ``words`` (or ``patterns``) and a period."""
    forms = set(words) | ({word[0].upper() + word[1:] for word in words} if capitalised else set())
    escaped = [re.escape(form).replace(r"\ ", r"\s?") for form in sorted(forms, key=len, reverse=True)]
    alternatives = [r"(?<!\w)(?:" + "|".join(escaped) + ")", *patterns]
    return re.compile("(?:" + "|".join(alternatives) + r")\.$")


@lru_cache(maxsize=4)
def load_boundary_rules(path: Path = RULES_FILE) -> BoundaryRules:
    """Compile the rules file (abbreviations per language, all languages applied to every text)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of rule groups")

    def words(group: str) -> list[str]:
        return [word for by_language in data[group].values() for word in by_language]

    return BoundaryRules(
        never_final=_tail(words("never_final"), capitalised=True),
        before_number=_tail(words("before_number")),
        attributive=_tail(words("attributive")),
        closing=_tail(words("closing"), data["closing_patterns"], capitalised=True),
        openers=frozenset(word for text in data["openers"].values() for word in text.split()),
    )


def _starts_sentence(
    rules: BoundaryRules, left: str, word: str, proposed: bool, ordinal: bool, quoted: bool
) -> bool:
    """Whether a sentence starts at ``word`` after ``left``, the text of the sentence so far.

    ``proposed`` is the sentencizer's answer, ``ordinal`` says that the previous token is a
    number with its period ("25."), and ``quoted`` that an opening quote precedes ``word``.
    """
    if not left or not word:
        return False
    if word[:1].islower() or _ASIDE_RE.search(left):
        return False
    if not left.endswith("."):
        return proposed  # every rule below is about a word before a period
    capital = word[:1].isupper()
    opener = capital and (word in rules.openers or quoted)
    if ordinal or rules.attributive.search(left):
        return opener
    closing = rules.closing.search(left)
    if closing:
        clause = len(_WORD_RE.findall(left[: closing.start()])) >= _MIN_CLAUSE_WORDS
        return opener or (capital and clause)
    if rules.never_final.search(left) or (capital and _INITIAL_RE.search(left)):
        return False
    if word[:1].isdigit() and rules.before_number.search(left):
        return False
    return proposed


def _opens_quote(tokens: list[Token], index: int) -> bool:
    """A quote mark after a space and glued to the next word opens a quotation."""
    token = tokens[index]
    if token.text not in _QUOTES or token.whitespace_ or index + 1 >= len(tokens):
        return False
    return index == 0 or bool(tokens[index - 1].whitespace_)


@Language.component("sentence_boundary_fixes")
def sentence_boundary_fixes(doc: Doc) -> Doc:
    """Review the sentencizer's boundaries with the rules in the module docstring."""
    rules = load_boundary_rules()
    tokens = list(doc)
    proposed = [bool(token.is_sent_start) for token in tokens]
    text = doc.text  # built anew on every access
    sentence_start = 0
    for index in range(1, len(tokens)):
        token, previous = tokens[index], tokens[index - 1]
        if _opens_quote(tokens, index - 1):
            # Decided at the quote itself: a quotation is never split from its first word.
            token.is_sent_start = False
            continue
        quoted = _opens_quote(tokens, index)
        word_index = index + 1 if quoted else index
        if not proposed[word_index] and not previous.text.endswith("."):
            continue  # only a word after a period can start a sentence the sentencizer did not see
        starts = _starts_sentence(
            rules,
            text[sentence_start : token.idx].rstrip(),
            tokens[word_index].text,
            proposed[word_index],
            ordinal=bool(_ORDINAL_RE.fullmatch(previous.text)),
            quoted=quoted,
        )
        token.is_sent_start = starts
        if starts:
            sentence_start = token.idx
    return doc


@lru_cache(maxsize=16)
def sentence_splitter(language: str) -> Language:
    """A light pipeline that only segments sentences; built once per language and process."""
    nlp = spacy.blank(language if language in _SUPPORTED_BLANK else "xx")
    nlp.add_pipe("sentencizer", config={"punct_chars": [*Sentencizer.default_punct_chars, *_ELLIPSES]})
    nlp.add_pipe("sentence_boundary_fixes")
    return nlp


def split_sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (one paragraph), trimmed of spaces."""
    doc = sentence_splitter(language)(text)
    spans = []
    for sentence in doc.sents:
        start, end = sentence.start_char, sentence.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
