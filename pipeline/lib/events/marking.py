"""Mark event triggers in analysed sentences: a step of event coding, not of NLP.

The NLP stage stores sentences with tokens, lemmas and actor spans; which words trigger an
event is the lexicon's business, so triggers are marked when events are coded. A lexicon edit
then re-codes events from the stored sentences without analysing them again. The same marker is
registered as the spaCy component ``event_triggers`` for pipelines that want it inline.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.lib.events.lexicon import EventLexicon, load_event_lexicon
from pipeline.lib.events.triggers import TriggerIndex

TRIGGER_SPANS = "triggers"


class EventTriggers:
    """Mark event trigger tokens as spans labelled with the PLOVER type; span id = lexicon entry id."""

    def __init__(self, index: TriggerIndex, spans_key: str = TRIGGER_SPANS) -> None:
        self.index = index
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        norms = [token.norm_ for token in doc]
        doc.spans[self.spans_key] = [
            Span(
                doc, match.token_index, match.token_index + 1, label=match.entry.type, span_id=match.entry.id
            )
            for match in self.index.find(norms)
        ]
        return doc


# (language, id of the lexicon) -> (the lexicon, kept alive so its id stays its own; its marker)
_MARKERS: dict[tuple[str, int], tuple[EventLexicon, EventTriggers]] = {}


def trigger_marker(language: str, lexicon: EventLexicon) -> EventTriggers:
    """The trigger marker of ``language`` for ``lexicon``, indexed once per process."""
    key = (language, id(lexicon))
    if key not in _MARKERS:
        _MARKERS[key] = (lexicon, EventTriggers(TriggerIndex(lexicon.entries.get(language, []), language)))
    return _MARKERS[key][1]


@Language.factory("event_triggers", default_config={"spans_key": TRIGGER_SPANS})
def make_event_triggers(nlp: Language, name: str, spans_key: str) -> EventTriggers:
    """Factory for :class:`EventTriggers`, indexing the language's trigger lexicon once."""
    lexicon = load_event_lexicon()
    return EventTriggers(TriggerIndex(lexicon.entries.get(nlp.lang, []), nlp.lang), spans_key)
