"""Tests for the event-trigger lexicon (pipeline/data/lexicons) and its matcher."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from pipeline.lib.events.lexicon import TriggerEntry, load_event_lexicon
from pipeline.lib.events.triggers import TriggerIndex
from pipeline.lib.schema import PLOVER_TYPES as SCHEMA_PLOVER_TYPES

LEXICON = load_event_lexicon()
LANGUAGES = ("de", "en", "ru")
PLOVER_TYPES = set(SCHEMA_PLOVER_TYPES)
ENTRY_CASES = [(lang, e.id) for lang in LANGUAGES for e in LEXICON.entries[lang]]


@pytest.fixture(scope="module")
def nlps() -> dict[str, spacy.Language]:
    """The blank spaCy pipelines of the project: lookup lemmas (de/en), pymorphy3 (ru)."""
    out = {}
    for lang in LANGUAGES:
        nlp = spacy.blank(lang)
        nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3" if lang == "ru" else "lookup"})
        nlp.initialize()
        out[lang] = nlp
    return out


@pytest.fixture(scope="module")
def indexes() -> dict[str, TriggerIndex]:
    return {lang: TriggerIndex(LEXICON.entries[lang], lang) for lang in LANGUAGES}


def fired(nlps: dict, indexes: dict, lang: str, text: str) -> list[str]:
    """Ids of the entries firing in ``text`` (norm = lowercased lemma, as in the pipeline)."""
    norms = [t.lemma_.lower() for t in nlps[lang](text)]
    return [m.entry.id for m in indexes[lang].find(norms)]


def entry(lang: str, entry_id: str) -> TriggerEntry:
    return next(e for e in LEXICON.entries[lang] if e.id == entry_id)


# ------------------------------------------------------------------ loader


def test_ontology_has_the_16_plover_types() -> None:
    assert set(LEXICON.ontology) == PLOVER_TYPES
    undirected = {name for name, t in LEXICON.ontology.items() if not t.directed}
    assert undirected == {"AGREE", "CONSULT", "COOPERATE"}
    assert set(LEXICON.ontology["CONSULT"].modes) >= {"visit", "third-party", "multilateral", "phone"}


def test_languages_entries_and_cues() -> None:
    assert LEXICON.languages() == ["de", "en", "ru"]
    for lang in LANGUAGES:
        types = {e.type for e in LEXICON.entries[lang]}
        assert types == PLOVER_TYPES, f"{lang} misses {PLOVER_TYPES - types}"
        assert all(len(e.examples) >= 2 for e in LEXICON.entries[lang])
        assert LEXICON.cues[lang].negation
        assert "unterzeichnen" in LEXICON.head_lemmas("de")
    # Lemmas shared with the passive/past would mark past events as future.
    assert "werden" not in LEXICON.cues["de"].future
    assert "быть" not in LEXICON.cues["ru"].future


def test_loader_is_cached() -> None:
    assert load_event_lexicon() is LEXICON


ONTOLOGY = """types:
  AGREE: {definition: agree, directed: false, modes: [], cameo: "030"}
  CONSULT: {definition: meet, directed: false, modes: [visit], cameo: "040"}
"""
CUES = """language: xx
negation: [nicht]
future: []
modal_speculative: []
conditional: []
announce: []
deny: []
target_preps: []
source_preps: []
"""
GOOD_ENTRY = {"id": "meet", "type": "CONSULT", "mode": "visit", "cameo": "042", "lemmas": ["treffen"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "MEET"}, "not in ontology"),
        ({"mode": "phone"}, "mode 'phone'"),
        ({"cameo": "42a"}, "2-4 digits"),
        ({"lemmas": ["Treffen"]}, "lowercase"),
        ({"lemmas": []}, "lemmas"),
        ({"excludes": ["treffen"]}, "overlap"),
        ({"requires": [[]]}, "empty"),
    ],
)
def test_malformed_entry_raises_clear_error(tmp_path: Path, change: dict, message: str) -> None:
    bad = {**GOOD_ENTRY, **change}
    _write_lexicon(tmp_path, [GOOD_ENTRY | {"id": "ok"}, bad])
    with pytest.raises(ValueError, match=message) as info:
        load_event_lexicon(tmp_path)
    assert "events.xx.yaml" in str(info.value)
    assert "'meet'" in str(info.value)


def test_duplicate_ids_and_missing_cues(tmp_path: Path) -> None:
    _write_lexicon(tmp_path / "dup", [GOOD_ENTRY, GOOD_ENTRY])
    with pytest.raises(ValueError, match="duplicate id 'meet'"):
        load_event_lexicon(tmp_path / "dup")
    _write_lexicon(tmp_path / "nocues", [GOOD_ENTRY], cues=False)
    with pytest.raises(ValueError, match=r"cues\.xx\.yaml missing"):
        load_event_lexicon(tmp_path / "nocues")


def test_yaml_words_on_off_stay_strings(tmp_path: Path) -> None:
    _write_lexicon(tmp_path, [GOOD_ENTRY | {"requires": [["on", "off", "no"]]}])
    assert load_event_lexicon(tmp_path).entries["xx"][0].requires == [["on", "off", "no"]]


def _write_lexicon(directory: Path, entries: list[dict], cues: bool = True) -> None:
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ontology.yaml").write_text(ONTOLOGY, encoding="utf-8")
    body = {"language": "xx", "entries": entries}
    (directory / "events.xx.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")
    if cues:
        (directory / "cues.xx.yaml").write_text(CUES, encoding="utf-8")


# ------------------------------------------------- matcher on synthetic entries


def _entry(**kw: object) -> TriggerEntry:
    base = {"id": "x", "language": "de", "type": "AID", "mode": None, "cameo": "070", "lemmas": ["lieferung"]}
    return TriggerEntry(**(base | kw))


def test_compound_head_and_inflection_stripping() -> None:
    index = TriggerIndex([_entry(requires=[["waffe"]])], "de")
    assert index.find(["waffenlieferungen", "von", "waffe"])[0].token_index == 0
    assert index.find(["lieferung", "von", "gas"]) == []
    # a bare verb particle is not a compound modifier; short prefixes do not count
    plain = TriggerIndex([_entry(lemmas=["treffen"], type="CONSULT", cameo="040")], "de")
    assert plain.find(["übertreffen"]) == [] and plain.find(["zutreffen"]) == []
    assert len(plain.find(["gipfeltreffen"])) == 1
    # no compound matching outside German, nor for compound=False entries
    assert TriggerIndex([_entry(language="en")], "en").find(["waffenlieferung"]) == []
    assert TriggerIndex([_entry(compound=False)], "de").find(["waffenlieferung"]) == []


def test_requires_window_and_excludes() -> None:
    index = TriggerIndex([_entry(requires=[["waffe"]], window=2, excludes=["stopp"])], "de")
    assert index.find(["lieferung", "a", "waffe"])
    assert index.find(["lieferung", "a", "b", "waffe"]) == []
    assert index.find(["waffe", "lieferung", "stopp"]) == []


def test_most_specific_entry_per_type_wins() -> None:
    generic = _entry(id="generic", lemmas=["hilfe"])
    specific = _entry(id="military", lemmas=["hilfe"], requires=[["militärisch"]])
    other = _entry(id="request", type="REQUEST", cameo="020", lemmas=["hilfe"])
    index = TriggerIndex([generic, specific, other], "de")
    assert [m.entry.id for m in index.find(["militärisch", "hilfe"])] == ["military", "request"]
    assert [m.entry.id for m in index.find(["hilfe"])] == ["generic", "request"]


# -------------------------------------------- every entry's own sentences


@pytest.mark.parametrize(("lang", "entry_id"), ENTRY_CASES)
def test_entry_examples_fire(nlps: dict, indexes: dict, lang: str, entry_id: str) -> None:
    e = entry(lang, entry_id)
    for text in e.examples:
        assert entry_id in fired(nlps, indexes, lang, text), text
    for text in e.counterexamples:
        assert entry_id not in fired(nlps, indexes, lang, text), text


NOTHING_FIRES = {
    "de": [
        "Deutschland schlug Frankreich im Finale mit 2:1.",
        "Die Nationalmannschaft trifft am Samstag auf Spanien.",
        "Der Sturm traf am Abend die Nordseeküste.",
        "Morgen wird es regnerisch, am Wochenende drohen Gewitter.",
        "Die Band spielte vor 20.000 Fans ein umjubeltes Konzert.",
        "Dem Land droht eine Hungersnot.",
    ],
    "en": [
        "Germany beat France 2-1 in the final.",
        "Russia beat Canada in the final to win the world championship.",
        "England will meet Spain in the semifinal on Sunday.",
        "A hurricane struck Florida, leaving thousands without power.",
        "Heavy rain and strong winds are expected at the weekend.",
        "The film premiered at the festival to great acclaim.",
        "Stocks rallied after the central bank decision.",
    ],
    "ru": [
        "Сборная Германии обыграла Францию в финале со счётом 2:1.",
        "Россия победила Канаду в финале чемпионата мира.",
        "Нападающий нанёс удар по воротам на 90-й минуте.",
        "Ураган ударил по Флориде, оставив тысячи людей без света.",
        "В выходные ожидаются сильный дождь и ветер.",
        "Группа дала концерт в Берлине при полном зале.",
    ],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sports_weather_culture_fire_nothing(nlps: dict, indexes: dict, lang: str) -> None:
    for text in NOTHING_FIRES[lang]:
        assert fired(nlps, indexes, lang, text) == [], text


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("de", "Die Waffenlieferungen an Kiew gehen weiter.", "weapons_delivery_compound"),
        ("de", "Moskau und Pjöngjang unterzeichneten einen Verteidigungspakt.", "sign_agreement"),
        ("de", "China und Russland begannen gemeinsame Militärübungen.", "joint_exercise"),
        ("de", "China begann Militärübungen vor Taiwan.", "exercise_own"),
        ("de", "Die Kampfpanzerlieferungen verzögern sich.", "weapons_delivery_compound"),
        ("ru", "КНДР направила войска в Курскую область.", "deploy_troops"),
        ("ru", "Поставки вооружений Украине продолжаются.", "deliver_weapons"),
        ("ru", "Стороны подписали договор о партнёрстве.", "sign_agreement"),
        ("ru", "Россия заблокировала порты Украины.", "blockade"),
        ("en", "Riots broke out after the vote.", "riot"),
    ],
)
def test_compounds_and_inflections(nlps: dict, indexes: dict, lang: str, text: str, expected: str) -> None:
    assert expected in fired(nlps, indexes, lang, text)


def test_reverse_flag_on_receive_entries() -> None:
    assert entry("de", "receive_weapons").reverse
    assert entry("en", "receive_weapons").reverse
    assert entry("ru", "receive_weapons").reverse
    assert not entry("de", "deliver_weapons").reverse


def test_event_types_page_is_current() -> None:
    """EVENT_TYPES.md is generated from the lexicon: regenerate it after editing the YAML files."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "describe_event_types.py"
    spec = importlib.util.spec_from_file_location("describe_event_types", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.render(LEXICON)
    assert "## ASSAULT" in page and "`war_of`" in page
    assert module.OUTPUT.read_text(encoding="utf-8") == page, "run: python scripts/describe_event_types.py"
