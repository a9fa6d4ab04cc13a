"""spaCy components of the alliance pipeline, registered by name so pipelines are configuration."""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.lang.ru import Russian
from spacy.lang.ru.lemmatizer import RussianLemmatizer
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.actors.patterns import FORMS, single_word_surfaces
from pipeline.lib.nlp.morphology import morph_analyzer
from pipeline.lib.nlp.persons import NatashaPersons, UnknownPersons

ACTOR_SPANS = "actors"
# German writes adjectives and demonym-derived adjectives in lowercase; names are capitalised.
_LOWERCASE_FORMS = {"de": {"adj"}, "ru": {"adj", "dem"}, "en": set()}


_HYPHEN = re.compile(r"(-)")
_NAME_TAGS = ("Geox", "Name", "Surn", "Patr", "Orgn", "Abbr")


@lru_cache(maxsize=65536)
def russian_name_lemma(word: str) -> str:
    """The lemma of a capitalised Russian word that spaCy left unlemmatised.

    Without POS tags spaCy's pymorphy3 lemmatizer gives up on forms with several lemmas
    ("Индии": индия or индий); for a capitalised word the likeliest proper-noun reading is the
    one meant, so names and places still match in every case. Words without a proper-noun
    reading (a capitalised verb at the start of a sentence) keep their form, as before.
    """
    parses = morph_analyzer().parse(word) if morph_analyzer() is not None else []
    named = [parse for parse in parses if any(tag in parse.tag for tag in _NAME_TAGS)]
    best = max(named, key=lambda parse: parse.score, default=None)
    return best.normal_form if best is not None else word.lower()


class CachedRussianLemmatizer(RussianLemmatizer):
    """spaCy's pymorphy3 lemmatizer that remembers its answer per (form, POS, morphology).

    The answer depends on nothing else, and without a tagger every token would otherwise be a
    fresh dictionary analysis; a news corpus repeats its word forms many times over.
    """

    KNOWN_FORMS = 500_000  # forms remembered before the memory is cleared

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._known: dict[tuple[int, int, int], list[str]] = {}

    def pymorphy3_lemmatize(self, token: Token) -> list[str]:
        """The lemmas of ``token``, analysed once per form, POS and morphology."""
        key = (token.orth, token.pos, token.morph.key)
        forms = self._known.get(key)
        if forms is None:
            if len(self._known) >= self.KNOWN_FORMS:
                self._known.clear()
            forms = self._known[key] = super().pymorphy3_lemmatize(token)
        return forms


@Russian.factory(
    "alliance_ru_lemmatizer",
    assigns=["token.lemma"],
    default_config={
        "model": None,
        "mode": "pymorphy3",
        "overwrite": False,
        "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
    },
    default_score_weights={"lemma_acc": 1.0},
)
def make_cached_russian_lemmatizer(nlp, model, name, mode, overwrite, scorer) -> CachedRussianLemmatizer:
    """Factory for :class:`CachedRussianLemmatizer`."""
    return CachedRussianLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


@Language.component("alliance_norms")
def alliance_norms(doc: Doc) -> Doc:
    """Set each token's NORM to its lowercase lemma: the key that rules and lexicons match on."""
    russian = doc.lang_ == "ru"
    for token in doc:
        lemma = token.lemma_ or token.text
        if russian and lemma == token.text and token.text[:1].isupper() and token.is_alpha:
            lemma = russian_name_lemma(token.text)
        token.norm_ = lemma.lower()
    return doc


@Language.factory("hyphen_actor_split")
def make_hyphen_actor_split(nlp: Language, name: str) -> HyphenActorSplit:
    """Factory for :class:`HyphenActorSplit` with the language's one-word actor surfaces."""
    return HyphenActorSplit(single_word_surfaces(load_actor_dictionary(), nlp.lang))


class HyphenActorSplit:
    """Split hyphen compounds that contain an actor name into their parts ("US-Präsident").

    German writes "US-Präsident", "Kreml-Sprecher", "OVKS-Truppen", "finnisch-russische" as one
    token; split into "US", "-", "Präsident", the actor part can be recognised like any other
    word. Runs right after the tokenizer, so that lemmas and norms are made for the parts.
    """

    def __init__(self, surfaces: frozenset[str]) -> None:
        self.surfaces = surfaces

    def __call__(self, doc: Doc) -> Doc:
        with doc.retokenize() as retokenizer:
            for token in doc:
                text = token.text
                if "-" not in text[1:-1] or len(text) < 4:
                    continue
                parts = [part for part in _HYPHEN.split(text) if part]
                words = [part for part in parts if part != "-"]
                if len(words) < 2 or not any(word.lower() in self.surfaces for word in words):
                    continue
                retokenizer.split(token, parts, heads=[(token, 0)] * len(parts))
        return doc


@Language.factory("actor_mention_filter", default_config={"spans_key": ACTOR_SPANS})
def make_actor_mention_filter(nlp: Language, name: str, spans_key: str) -> ActorMentionFilter:
    """Factory for :class:`ActorMentionFilter`."""
    return ActorMentionFilter(nlp.lang, spans_key)


class ActorMentionFilter:
    """Drop dictionary matches that are common words here, and strip the form from span ids.

    A name written in lowercase ("turkey", "chad") is a common word, not the state; German
    adjectives ("russischen") are lowercase by rule and stay.
    """

    def __init__(self, language: str, spans_key: str) -> None:
        self.lowercase_forms = _LOWERCASE_FORMS.get(language, {"adj"})
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        kept = []
        for span in doc.spans.get(self.spans_key, []):
            actor_id, _, form = span.id_.partition("#")
            form = form if form in FORMS else "name"
            first = span.text[:1]
            if form not in self.lowercase_forms and first.isalpha() and first.islower():
                continue
            kept.append(Span(doc, span.start, span.end, label=span.label_, span_id=actor_id, kb_id=form))
        doc.spans[self.spans_key] = kept
        return doc


@Language.factory("unknown_persons", default_config={"spans_key": ACTOR_SPANS})
def make_unknown_persons(nlp: Language, name: str, spans_key: str) -> UnknownPersons:
    """Factory for :class:`pipeline.lib.nlp.persons.UnknownPersons`."""
    return UnknownPersons(nlp.lang, spans_key)


@Language.factory("natasha_persons")
def make_natasha_persons(nlp: Language, name: str) -> NatashaPersons:
    """Factory for :class:`pipeline.lib.nlp.persons.NatashaPersons` (Russian NER)."""
    return NatashaPersons()
