"""Sentence segmentation with spaCy: the language's tokenizer, the sentencizer and two fixes.

The blank tokenizers already keep German ordinals ("am 6. April") and common abbreviations
("z. B.", "Dr.", "г.") in one token. Two errors remain, fixed by ``sentence_boundary_fixes``: an
opening quote left at the end of the previous sentence, and splits before a lowercase word
(after an abbreviation the tokenizer does not know, such as Russian "т. е."), since a sentence in
these languages never starts lowercase.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

OPENING_QUOTES = {"„", "«", "‚", "‹", "“", '"', "'"}
_SUPPORTED_BLANK = {"de", "en", "ru", "fr", "es", "it", "pl", "uk", "nl", "pt"}


@Language.component("sentence_boundary_fixes")
def sentence_boundary_fixes(doc: Doc) -> Doc:
    """Move stray opening quotes to the next sentence; join splits before lowercase words."""
    for index in range(1, len(doc)):
        token = doc[index]
        if not token.is_sent_start:
            continue
        previous = doc[index - 1]
        if token.text[:1].islower():
            token.is_sent_start = False
            continue
        opens = previous.text in OPENING_QUOTES and not previous.whitespace_
        if opens and index >= 2 and doc[index - 2].is_punct and doc[index - 2].whitespace_:
            # "… Vertrag. „Wir …": a quote after a space and glued to the next word opens it.
            previous.is_sent_start = True
            token.is_sent_start = False
    return doc


@lru_cache(maxsize=16)
def sentence_splitter(language: str) -> Language:
    """A light pipeline that only segments sentences; built once per language and process."""
    nlp = spacy.blank(language if language in _SUPPORTED_BLANK else "xx")
    nlp.add_pipe("sentencizer")
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
