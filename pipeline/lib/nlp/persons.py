"""Persons the actor dictionary does not know: found by the office before their name, or by NER.

"der belarussische Wirtschaftsminister Aleksandr Chervyakov", "Finland's foreign minister, Pekka
Haavisto", "министр обороны Индии Раджнатх Сингх": an office word (``data/lexicons/offices.yaml``)
followed, within a few office-phrase words, by capitalised name tokens makes an unresolved PERSON
mention. A state mentioned inside the phrase or just before it ("belarussische", "Finland's",
"Индии") codes the person to that state; the office phrase becomes the mention's role. For Russian,
natasha's NER (its weights ship in the wheel) adds person names without an office. Names after an
expert word ("Osteuropa-Experte Stefan Meister", "analyst Jane Roe") are no political actors: they
get no mention.

The details of each unresolved person (the actor id of its state, its role) live in
``doc.user_data["unresolved"]`` under the key ``"<start_char>:<end_char>"``, so they survive
DocBin serialisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.tokens import Doc, Span, Token
from spacy.util import minibatch

from pipeline.lib.nlp.morphology import morph_analyzer
from pipeline.lib.settings import PACKAGE_DATA

OFFICES_FILE = PACKAGE_DATA / "lexicons" / "offices.yaml"
UNRESOLVED_KEY = "unresolved"
NER_SPANS = "ner_persons"
_MAX_NAME_TOKENS = 4
_MAX_PHRASE_TOKENS = 6  # office phrase words between the office word and the name
_COUNTRY_BEFORE = 3  # tokens before the office word where a nationality may stand
_ROLE_FILLERS = {
    "the",
    "der",
    "die",
    "das",
    "des",
    "den",
    "und",
    "and",
    "и",
    "of",
    "for",
    "für",
    "in",
    "to",
    "at",
    "bei",
    "в",
    "при",
}
_NAME_JOINERS = {"-", "von", "van", "de", "del", "da", "bin", "ibn", "al", "el", "le", "jr.", "jr"}


_PLURAL_ENDINGS = ("s", "en", "n", "innen", "e")


@lru_cache(maxsize=200_000)
def _word_in(words: frozenset[str], compounds: bool, norm: str, lower: str) -> bool:
    """Whether a token (its norm and lowercase form) is one of ``words`` (remembered per form:
    the compound test runs through every word)."""
    if norm in words or lower in words:
        return True
    # Plurals the lookup tables leave alone ("Analysts" at the start of a sentence, "Analysten").
    if any(norm.endswith(end) and norm[: -len(end)] in words for end in _PLURAL_ENDINGS):
        return True
    if compounds and len(norm) > 4:
        last = norm.rsplit("-", 1)[-1]
        return any(last.endswith(word) and len(last) > len(word) for word in words) or last in words
    return False


@dataclass(frozen=True)
class OfficeWords:
    """The office, modifier and expert words of one language."""

    offices: frozenset[str]
    modifiers: frozenset[str]
    experts: frozenset[str]
    compounds: bool  # German: entries also match the end of a compound word

    def _is(self, words: frozenset[str], token: Token) -> bool:
        return _word_in(words, self.compounds, token.norm_.lower(), token.lower_)

    def is_office(self, token: Token) -> bool:
        """Whether the token names an office (or ends a German compound that does)."""
        return self._is(self.offices, token)

    def is_expert(self, token: Token) -> bool:
        """Whether the token names an expert, journalist or author."""
        return self._is(self.experts, token)

    def is_modifier(self, token: Token) -> bool:
        """Whether the token may stand inside an office phrase."""
        return token.norm_.lower() in self.modifiers or token.lower_ in self.modifiers


@lru_cache(maxsize=4)
def load_office_words(path: Path = OFFICES_FILE) -> dict[str, OfficeWords]:
    """Office words per language, validated (each language needs offices, modifiers and experts)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = {}
    for language, groups in data.items():
        missing = {"offices", "modifiers", "experts"} - set(groups or {})
        if missing:
            raise ValueError(f"{path}: {language} lacks {sorted(missing)}")
        result[language] = OfficeWords(
            *(
                frozenset(str(word).lower() for word in groups[key])
                for key in ("offices", "modifiers", "experts")
            ),
            compounds=language == "de",
        )
    return result


def _is_name_token(token: Token) -> bool:
    text = token.text
    return (text[:1].isupper() and any(ch.isalpha() for ch in text) and not text.isupper()) or (
        text.lower() in _NAME_JOINERS and token.i > 0
    )


def _name_after(doc: Doc, start: int, taken: set[int], words: OfficeWords) -> tuple[int, int] | None:
    """The capitalised name run starting at ``start`` (joiners inside it), if any."""
    end = start
    while end < len(doc) and end - start < _MAX_NAME_TOKENS and end not in taken:
        token = doc[end]
        if not _is_name_token(token) or words.is_office(token) or words.is_expert(token):
            break
        end += 1
    while end > start and doc[end - 1].text.lower() in _NAME_JOINERS:
        end -= 1
    if end == start or all(len(doc[i].text) < 2 for i in range(start, end)):
        return None
    if end in taken and end < len(doc) and _is_name_token(doc[end]):
        return None  # first names of a known person ("Tayyip" before "Erdoğan"): not someone else
    return start, end


class UnknownPersons:
    """Add unresolved PERSON spans after office words; drop persons named after expert words."""

    def __init__(self, language: str, spans_key: str) -> None:
        self.words = load_office_words().get(language)
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        if self.words is None:
            return doc
        actors = list(doc.spans.get(self.spans_key, []))
        taken = {i for span in actors for i in range(span.start, span.end)}
        found: dict[tuple[int, int], tuple[str | None, str]] = {}
        experts: set[tuple[int, int]] = set()
        for token in doc:
            is_expert = self.words.is_expert(token)
            if token.i in taken or not (is_expert or self.words.is_office(token)):
                continue
            for start, end, country, role in self._persons_after(doc, token, actors, taken):
                if is_expert:
                    experts.add((start, end))
                else:
                    found.setdefault((start, end), (country, role))
        expert_tokens = {i for start, end in experts for i in range(start, end)}
        for span in doc.spans.get(NER_SPANS, []):
            tokens = range(span.start, span.end)
            if not any(i in taken or i in expert_tokens for i in tokens):
                found.setdefault((span.start, span.end), (None, ""))
        unresolved = dict(doc.user_data.get(UNRESOLVED_KEY, {}))
        spans = [
            span for span in actors if not (span.label_ == "PERSON" and (span.start, span.end) in experts)
        ]
        occupied = {i for span in spans for i in range(span.start, span.end)}
        for (start, end), (country, role) in sorted(found.items()):
            if (start, end) in experts or any(i in occupied for i in range(start, end)):
                continue
            span = Span(doc, start, end, label="PERSON")
            spans.append(span)
            occupied.update(range(start, end))
            unresolved[f"{span.start_char}:{span.end_char}"] = {
                "state_actor_id": country,
                "role": role or None,
            }
        doc.spans[self.spans_key] = sorted(spans, key=lambda s: (s.start, s.end))
        doc.user_data[UNRESOLVED_KEY] = unresolved
        return doc

    def _persons_after(
        self, doc: Doc, office: Token, actors: list[Span], taken: set[int]
    ) -> list[tuple[int, int, str | None, str]]:
        """The name run that follows the office phrase at ``office``, with its country and role."""
        spans_at = {span.start: span for span in actors}
        index = phrase_end = office.i + 1
        while index < len(doc) and index - office.i <= _MAX_PHRASE_TOKENS:
            token = doc[index]
            span = spans_at.get(index)
            if span is not None:
                if span.label_ != "STATE":  # the office belongs to a known person or body
                    return []
                index = phrase_end = span.end
            elif self.words.is_modifier(token) or self.words.is_office(token) or self._is_genitive(token):
                index = phrase_end = index + 1
            elif token.text in (",", "-", "'", "’") or token.lower_ in ("'s", "’s"):
                index += 1
            else:
                break
        name = _name_after(doc, index, taken, self.words)
        if name is None:
            return []
        role_start = office.i
        while role_start > 0 and office.i - role_start < 3 and role_start - 1 not in taken:
            previous = doc[role_start - 1]
            if not (self.words.is_modifier(previous) or self.words.is_office(previous)) or previous.is_punct:
                break
            role_start -= 1
        while role_start < office.i and doc[role_start].lower_ in _ROLE_FILLERS:
            role_start += 1
        words = [
            token.text for token in doc[role_start:phrase_end] if token.i not in taken and not token.is_punct
        ]
        while words and words[-1].lower() in _ROLE_FILLERS:  # "Botschafter in [Berlin]"
            words.pop()
        role = " ".join(words)
        return [(name[0], name[1], self._country_near(doc, office.i, name[0], actors), role)]

    def _is_genitive(self, token: Token) -> bool:
        """Russian office phrases continue with lowercase genitives ("министр иностранных дел")."""
        if token.lang_ != "ru" or not token.text[:1].islower():
            return False
        analyser = morph_analyzer()
        return analyser is not None and any(
            "gent" in parse.tag and parse.tag.POS in ("NOUN", "ADJF") for parse in analyser.parse(token.text)
        )

    @staticmethod
    def _country_near(doc: Doc, office: int, name_start: int, actors: list[Span]) -> str | None:
        """The actor named inside the office phrase or just before the office word (a state, or a
        body whose code the person then gets: "Chinese Foreign Ministry spokesman", "NATO-Sprecher")."""
        window = range(max(0, office - _COUNTRY_BEFORE), name_start)
        nearby = [span for span in actors if span.label_ in ("STATE", "ORG") and span.start in window]
        if not nearby:
            return None
        closest = min(nearby, key=lambda span: abs(span.start - office))
        return closest.id_ or None


NER_BATCH = 32  # sentences natasha's tagger encodes at once (its default is 8)


@lru_cache(maxsize=1)
def _natasha_tagger():
    from natasha import NewsEmbedding, NewsNERTagger

    tagger = NewsNERTagger(NewsEmbedding())
    tagger.batch_size = tagger.infer.encoder.batch_size = NER_BATCH
    return tagger


class NatashaPersons:
    """Russian person names from natasha's NER, as candidate spans for :class:`UnknownPersons`.

    With ``nlp.pipe`` the sentences reach the tagger in batches, sorted by length so that a batch
    pads little: 2.3 times as fast as tagging them one by one, with the same spans.
    """

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Tag ``docs`` a batch at a time."""
        tagger = _natasha_tagger()
        for batch in minibatch(docs, size=batch_size):
            texts = [doc.text for doc in batch]
            order = sorted((i for i, text in enumerate(texts) if text.strip()), key=lambda i: len(texts[i]))
            found = {
                i: markup.spans
                for i, markup in zip(order, tagger.map([texts[i] for i in order]), strict=True)
            }
            for i, doc in enumerate(batch):
                spans = []
                for person in found.get(i, []):
                    if person.type != "PER":
                        continue
                    span = doc.char_span(person.start, person.stop, label="PERSON", alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
                doc.spans[NER_SPANS] = spans
                yield doc
