"""Build the spaCy pipeline of each language once per process.

The base is configuration: a blank pipeline by default (no trained model can be installed
offline), or an installed trained pipeline named in ``Settings.spacy_models`` (e.g.
``de=de_core_news_md``). The project's own components are added on top of either:
lemmatizer (if the base has none), NORM = lowercase lemma, the actor span ruler, the mention
filter, natasha person NER (Russian) and persons found by their office. Event triggers are
marked later, when events are coded (pipeline.lib.events.marking), so a lexicon edit needs no
new analysis.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

import pipeline.lib.nlp.components  # noqa: F401  (registers the components)
from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.actors.patterns import actor_patterns
from pipeline.lib.nlp.components import ACTOR_SPANS

# Lemmatizer mode per language for blank pipelines: lookup tables ship in spacy-lookups-data,
# pymorphy3's Russian dictionaries ship in pymorphy3-dicts-ru.
LEMMATIZER_MODES = {"de": "lookup", "en": "lookup", "ru": "pymorphy3"}
# spaCy's lemmatizer, except for Russian: the same one remembering each form's lemmas.
LEMMATIZER_FACTORIES = {"ru": "alliance_ru_lemmatizer"}
# Languages whose tokenizer keeps hyphen compounds ("US-Präsident") as one token.
HYPHEN_COMPOUND_LANGUAGES = {"de"}
# Person-name NER that runs offline, per language (natasha's Russian weights ship in its wheel).
NER_LANGUAGES = {"ru": "natasha_persons"}


def _base(language: str, model: str | None) -> Language:
    if model:
        return spacy.load(model)
    return spacy.blank(language)


@lru_cache(maxsize=16)
def load_pipeline(language: str, model: str | None = None) -> Language:
    """The full pipeline for ``language`` (built once per process and cached)."""
    nlp = _base(language, model)
    if language in HYPHEN_COMPOUND_LANGUAGES:
        nlp.add_pipe("hyphen_actor_split", first=True)
    added_lemmatizer = False
    if "lemmatizer" not in nlp.pipe_names and language in LEMMATIZER_MODES:
        factory = LEMMATIZER_FACTORIES.get(language, "lemmatizer")
        nlp.add_pipe(factory, name="lemmatizer", config={"mode": LEMMATIZER_MODES[language]})
        added_lemmatizer = True
    nlp.add_pipe("alliance_norms")
    ruler = nlp.add_pipe(
        "span_ruler",
        name="actor_ruler",
        config={
            "spans_key": ACTOR_SPANS,
            "phrase_matcher_attr": "NORM",
            "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
            "annotate_ents": False,
            "validate": False,
        },
    )
    nlp.add_pipe("actor_mention_filter")
    if language in NER_LANGUAGES:
        nlp.add_pipe(NER_LANGUAGES[language])
    nlp.add_pipe("unknown_persons")
    if added_lemmatizer:
        # Initialise only what we added: a trained base keeps its weights.
        nlp.get_pipe("lemmatizer").initialize(nlp=nlp)
    ruler.add_patterns(actor_patterns(load_actor_dictionary(), language))
    return nlp
