"""Persons outside the dictionary: found by their office, coded to the state named with it."""

from datetime import date

import pytest

from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.entities import SentenceContext, mentions_of
from pipeline.lib.evaluation import _actor_matches, unresolved_persons
from pipeline.lib.nlp.components import russian_name_lemma
from pipeline.lib.nlp.persons import UNRESOLVED_KEY, load_office_words
from pipeline.lib.nlp.pipelines import load_pipeline


def _mentions(language: str, text: str) -> list[dict]:
    doc = load_pipeline(language)(text)
    doc.user_data["ctx"] = SentenceContext("d", 0, 0, date(2024, 6, 1)).as_user_data()
    return mentions_of(doc, language, load_actor_dictionary())


def _unresolved(language: str, text: str) -> dict[str, tuple[str | None, str | None]]:
    return {
        m["text"]: (m["country"], m["role"])
        for m in _mentions(language, text)
        if m["actor_id"] is None and m["label"] == "PERSON"
    }


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "de",
            "Das sagte der belarussische Wirtschaftsminister Aleksandr Chervyakov am Freitag.",
            {"Aleksandr Chervyakov": ("BLR", "Wirtschaftsminister")},
        ),
        (
            "de",
            "Die finnische Außenministerin Elena Virtanen und Regierungssprecherin Anna Becker kamen.",
            {"Elena Virtanen": ("FIN", "Außenministerin"), "Anna Becker": (None, "Regierungssprecherin")},
        ),
        (
            "en",
            "Finland's foreign minister, Pekka Virtanen, said that Philippine Defense Secretary Jose Cruz agreed.",
            {"Pekka Virtanen": ("FIN", "foreign minister"), "Jose Cruz": ("PHL", "Defense Secretary")},
        ),
        (
            "ru",
            "Министр иностранных дел Ирана Аббас Карими прибыл в Москву.",
            {"Аббас Карими": ("IRN", "Министр иностранных дел")},
        ),
        (
            "de",
            "Der russische Botschafter in Berlin, Sergej Markow, nannte die Entscheidung gefährlich.",
            {"Sergej Markow": ("RUS", "Botschafter")},
        ),
        (
            "ru",
            "Белорусский министр экономики Александр Червяков заявил об этом в пятницу.",
            {"Александр Червяков": ("BLR", "министр экономики")},
        ),
    ],
)
def test_unknown_person_coded_by_office_and_nationality(language, text, expected):
    assert _unresolved(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Osteuropa-Experte Stefan Meister hält das für unwahrscheinlich."),
        ("de", "Der Minister sagte am Montag, der Vertrag gelte."),
        ("de", "Präsident Putin sagte, Russland werde helfen."),  # a known person, no second mention
        ("en", "Analyst Jane Roe of the Carnegie Endowment doubts it."),
        ("en", "The journalist Tom Brady wrote that the minister resigned."),
        ("ru", "Политолог Иван Петров считает, что договор не будет подписан."),
        ("ru", "По мнению индийского журналиста-международника Арджуна Мехты, визит удался."),
        ("en", "President Recep Tayyip Erdogan spoke."),  # first names of a known person
    ],
)
def test_no_unknown_person_for_experts_known_persons_or_bare_offices(language, text):
    assert _unresolved(language, text) == {}


def test_russian_ner_names_without_office_are_unresolved_mentions():
    found = _unresolved("ru", "В ноябре об этом сообщил Дмитрий Шугаев.")
    assert found == {"Дмитрий Шугаев": (None, None)}


def test_unresolved_details_survive_in_user_data():
    doc = load_pipeline("en")("Japanese Defense Minister Minoru Tanaka arrived in Manila.")
    assert list(doc.user_data[UNRESOLVED_KEY].values()) == [
        {"state_actor_id": "Q17", "role": "Defense Minister"}
    ]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("Индии", "индия"), ("Индией", "индия"), ("Путина", "путин"), ("Подписали", "подписали")],
)
def test_russian_capitalised_words_get_their_proper_noun_lemma(word, lemma):
    assert russian_name_lemma(word) == lemma


@pytest.mark.parametrize(
    ("text", "actor"),
    [("В Индии прошли переговоры.", "Q668"), ("Путин встретился с премьером Индии.", "Q668")],
)
def test_russian_oblique_country_names_resolve(text, actor):
    assert actor in [m["actor_id"] for m in _mentions("ru", text)]


def test_german_genitive_es_resolves():
    assert "ae:org/unionstate" in [m["actor_id"] for m in _mentions("de", "Die Grenze des Unionsstaates.")]


def test_office_words_file_is_complete():
    words = load_office_words()
    assert set(words) >= {"de", "en", "ru"}
    assert all(group.offices and group.experts for group in words.values())


def test_evaluation_matches_names_in_any_script_and_unresolved_persons():
    predicted = {
        "name": "Sergei Shoigu",
        "kind": "PERSON",
        "country": "RUS",
        "aliases": ["Сергей Шойгу", "Schoigu"],
    }
    assert _actor_matches({"name": "Сергей Шойгу", "kind": "PERSON", "country": "RUS"}, predicted)
    assert not _actor_matches({"name": "Сергей Лавров", "kind": "PERSON", "country": "RUS"}, predicted)
    org = {
        "name": "Collective Security Treaty Organization",
        "kind": "ORG",
        "country": None,
        "aliases": ["OVKS", "ОДКБ"],
    }
    assert _actor_matches({"name": "OVKS", "kind": "ORG", "country": None}, org)
    import polars as pl

    mentions = pl.DataFrame(
        {
            "text": ["Aleksandr Chervyakov", "Chervyakov", "Putin"],
            "label": ["PERSON", "PERSON", "PERSON"],
            "actor_id": [None, None, "Q7747"],
            "country": ["BLR", None, "RUS"],
            "char_start": [0, 50, 90],
        }
    )
    assert unresolved_persons(mentions) == [
        {"name": "Aleksandr Chervyakov", "kind": "PERSON", "country": "BLR"}
    ]


@pytest.mark.parametrize(
    ("day", "role"),
    [(date(2023, 1, 1), "Minister of Defence"), (date(2025, 1, 1), "Secretary of the Security Council")],
)
def test_known_person_mention_carries_the_role_of_the_day(day, role):
    doc = load_pipeline("de")("Schoigu traf Lukaschenko in Minsk.")
    doc.user_data["ctx"] = SentenceContext("d", 0, 0, day).as_user_data()
    shoigu = next(m for m in mentions_of(doc, "de", load_actor_dictionary()) if m["text"] == "Schoigu")
    assert (shoigu["country"], shoigu["role"]) == ("RUS", role)
