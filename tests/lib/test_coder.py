"""Event coding of single sentences end to end (pipeline/lib/events/coder.py) in de, en and ru."""

from datetime import date
from functools import cache

import pytest
from spacy.language import Language

from pipeline.lib.actors.dictionary import load_actor_dictionary
from pipeline.lib.entities import SentenceContext
from pipeline.lib.events.coder import events_for_sentence
from pipeline.lib.events.lexicon import load_event_lexicon
from pipeline.lib.nlp.pipelines import load_pipeline

LEXICON = load_event_lexicon()
DICTIONARY = load_actor_dictionary()
PUBLISHED = date(2024, 4, 10)  # a Wednesday: "Friday" is 2024-04-05

Dyad = tuple[str, str, str]  # (event_type, source_country, target_country)


@cache
def _pipeline(language: str) -> Language:
    """The full pipeline of ``language``, built once per test module."""
    return load_pipeline(language)


def code(language: str, text: str, published: date | None = PUBLISHED) -> list[dict]:
    """The event rows the coder gives for one sentence of a document published on ``published``."""
    doc = _pipeline(language)(text)
    doc.user_data["ctx"] = SentenceContext("d", 0, 0, published).as_user_data()
    return events_for_sentence(doc, language, LEXICON, DICTIONARY)


def _dyad(row: dict) -> Dyad:
    """(type, source, target); undirected types in alphabetical order of the pair."""
    pair = (row["source_country"], row["target_country"])
    if not LEXICON.ontology[row["event_type"]].directed:
        pair = tuple(sorted(pair))
    return (row["event_type"], *pair)


def dyads(language: str, text: str) -> set[Dyad]:
    """The non-negated events of the sentence as (type, source, target)."""
    return {_dyad(row) for row in code(language, text) if not row["negated"]}


def event(language: str, text: str, dyad: Dyad, published: date | None = PUBLISHED) -> dict | None:
    """The row of ``dyad`` (negated or not), None when the coder gives no such event."""
    rows = [row for row in code(language, text, published) if _dyad(row) == dyad]
    assert len(rows) <= 1
    return rows[0] if rows else None


def status(language: str, text: str, dyad: Dyad) -> str | None:
    """The status of the event ``dyad``; None when there is no such event."""
    row = event(language, text, dyad)
    return row["status"] if row else None


def negated(language: str, text: str, dyad: Dyad) -> bool:
    """Whether the event ``dyad`` is negated (it must exist)."""
    row = event(language, text, dyad)
    assert row is not None, f"no {dyad} in {text!r}"
    return row["negated"]


def event_date(language: str, text: str, dyad: Dyad, published: date | None = PUBLISHED) -> tuple:
    """(event_date, date_precision) of the event ``dyad`` (it must exist)."""
    row = event(language, text, dyad, published)
    assert row is not None, f"no {dyad} in {text!r}"
    return row["event_date"], row["date_precision"]


# ------------------------------------------------------------------ triggers and direction

EVENT_CASES = [
    # German
    (
        "de",
        "Russland und Belarus unterzeichneten ein Abkommen über militärische Zusammenarbeit.",
        {("AGREE", "BLR", "RUS")},
    ),
    ("de", "Deutschland lieferte Panzer an die Ukraine.", {("AID", "DEU", "UKR")}),
    ("de", "Russland stationierte Atomwaffen in Belarus.", {("MOBILIZE", "RUS", "BLR")}),
    ("de", "Russland schickte Soldaten nach Kasachstan.", {("MOBILIZE", "RUS", "KAZ")}),
    ("de", "Xi Jinping besuchte Kasachstan.", {("CONSULT", "CHN", "KAZ")}),
    ("de", "Russland griff die Ukraine an.", {("ASSAULT", "RUS", "UKR")}),
    ("de", "Die Ukraine wurde von Russland angegriffen.", {("ASSAULT", "RUS", "UKR")}),
    ("de", "Russlands Krieg gegen die Ukraine dauert an.", {("ASSAULT", "RUS", "UKR")}),
    ("de", "Die EU verhängte neue Sanktionen gegen Belarus.", {("SANCTION", "EU", "BLR")}),
    ("de", "Armenien bat Russland um Hilfe.", {("REQUEST", "ARM", "RUS")}),
    (
        "de",
        "Soldaten aus Russland, Belarus und Armenien trafen in Kasachstan ein.",
        {("AID", "RUS", "KAZ"), ("AID", "BLR", "KAZ"), ("AID", "ARM", "KAZ")},
    ),
    ("de", "Russland kündigte den Abzug seiner Truppen aus Kasachstan an.", {("RETREAT", "RUS", "KAZ")}),
    (
        "de",
        "Lukaschenko forderte Putin auf, Atomwaffen in Belarus zu stationieren.",
        {("REQUEST", "BLR", "RUS")},
    ),
    (
        "de",
        "Lukaschenko, der Russland um Waffen bat, traf Xi Jinping in Peking.",
        {("REQUEST", "BLR", "RUS"), ("CONSULT", "BLR", "CHN")},
    ),
    ("de", "Der Kreml schickte russische Truppen nach Belarus.", {("MOBILIZE", "RUS", "BLR")}),
    (
        "de",
        "Belarus erhielt Raketen aus Russland.",
        {("AID", "RUS", "BLR")},
    ),
    (
        "de",
        "Russland hat die Ukraine angegriffen.",
        {("ASSAULT", "RUS", "UKR")},
    ),
    (
        "de",
        "Als Russland die Ukraine angriff, lieferte Deutschland Panzer an die Ukraine.",
        {("ASSAULT", "RUS", "UKR"), ("AID", "DEU", "UKR")},
    ),
    # English
    ("en", "Belarus and Russia signed an agreement on military cooperation.", {("AGREE", "BLR", "RUS")}),
    ("en", "The United States sent Patriot missiles to Poland.", {("AID", "USA", "POL")}),
    ("en", "Russia stationed tactical nuclear weapons in Belarus.", {("MOBILIZE", "RUS", "BLR")}),
    ("en", "Xi Jinping visited Kazakhstan.", {("CONSULT", "CHN", "KAZ")}),
    ("en", "Russia attacked Ukraine.", {("ASSAULT", "RUS", "UKR")}),
    ("en", "Ukrainian drones attacked Russian positions near Belarus.", {("ASSAULT", "UKR", "RUS")}),
    ("en", "Ukraine was attacked by Russia.", {("ASSAULT", "RUS", "UKR")}),
    ("en", "The Russian invasion of Ukraine continues.", {("ASSAULT", "RUS", "UKR")}),
    ("en", "The United States imposed new sanctions on Belarus.", {("SANCTION", "USA", "BLR")}),
    ("en", "Armenia asked Russia for help.", {("REQUEST", "ARM", "RUS")}),
    (
        "en",
        "Troops from Russia, Belarus and Armenia arrived in Kazakhstan.",
        {("AID", "RUS", "KAZ"), ("AID", "BLR", "KAZ"), ("AID", "ARM", "KAZ")},
    ),
    ("en", "Russia withdrew its troops from Kazakhstan.", {("RETREAT", "RUS", "KAZ")}),
    ("en", "Lukashenko urged Putin to station nuclear weapons in Belarus.", {("REQUEST", "BLR", "RUS")}),
    (
        "en",
        "Lukashenko, who asked Russia for weapons, met Xi Jinping in Beijing.",
        {("REQUEST", "BLR", "RUS"), ("CONSULT", "BLR", "CHN")},
    ),
    (
        "en",
        "When Russia attacked Ukraine, Germany sent tanks to Ukraine.",
        {("ASSAULT", "RUS", "UKR"), ("AID", "DEU", "UKR")},
    ),
    ("en", "Putin hosted the Russian defense minister and Lukashenko.", {("CONSULT", "BLR", "RUS")}),
    (
        "en",
        "Belarus received missiles from Russia.",
        {("AID", "RUS", "BLR")},
    ),
    # Russian
    (
        "ru",
        "Россия и Белоруссия подписали соглашение о военном сотрудничестве.",
        {("AGREE", "BLR", "RUS")},
    ),
    ("ru", "Россия передала Белоруссии ракеты.", {("AID", "RUS", "BLR")}),  # dative
    ("ru", "Россия поставила танки в Белоруссию.", {("AID", "RUS", "BLR")}),
    ("ru", "Россия разместила ядерное оружие в Белоруссии.", {("MOBILIZE", "RUS", "BLR")}),
    ("ru", "Россия направила войска в Казахстан.", {("MOBILIZE", "RUS", "KAZ")}),
    ("ru", "Лукашенко встретился с Путиным в Москве.", {("CONSULT", "BLR", "RUS")}),
    ("ru", "Россия атаковала Украину.", {("ASSAULT", "RUS", "UKR")}),  # accusative
    ("ru", "Вторжение России в Украину продолжается.", {("ASSAULT", "RUS", "UKR")}),
    ("ru", "Украина подверглась нападению со стороны России.", {("ASSAULT", "RUS", "UKR")}),
    ("ru", "Евросоюз ввёл санкции против Белоруссии.", {("SANCTION", "EU", "BLR")}),
    ("ru", "Армения попросила Россию о помощи.", {("REQUEST", "ARM", "RUS")}),
    (
        "ru",
        "Военные из России, Белоруссии и Армении прибыли в Казахстан.",
        {("AID", "RUS", "KAZ"), ("AID", "BLR", "KAZ"), ("AID", "ARM", "KAZ")},
    ),
    ("ru", "Россия завершила вывод войск из Казахстана.", {("RETREAT", "RUS", "KAZ")}),
    (
        "ru",
        "Лукашенко попросил Путина разместить ядерное оружие в Белоруссии.",
        {("REQUEST", "BLR", "RUS")},
    ),
    (
        "ru",
        "Лукашенко, который попросил Россию об оружии, встретился с Си Цзиньпином в Пекине.",
        {("REQUEST", "BLR", "RUS"), ("CONSULT", "BLR", "CHN")},
    ),
    ("ru", "Путин встретился с российским министром обороны и Лукашенко.", {("CONSULT", "BLR", "RUS")}),
    (
        "ru",
        "Белоруссия получила ракеты из России.",
        {("AID", "RUS", "BLR")},
    ),
    (
        "ru",
        "Белоруссия получила ракеты от России.",
        {("AID", "RUS", "BLR")},
    ),
    (
        "ru",
        "Когда Россия напала на Украину, Германия передала Украине танки.",
        {("ASSAULT", "RUS", "UKR"), ("AID", "DEU", "UKR")},
    ),
    # A named pair working together; a single actor working on something is no event.
    (
        "de",
        "Russland und Belarus arbeiten an einer gemeinsamen Militärdoktrin.",
        {("COOPERATE", "BLR", "RUS")},
    ),
    ("de", "Russland arbeitet an einem neuen Sicherheitskonzept für Belarus.", set()),
    ("en", "China and Pakistan are working on a new fighter jet.", {("COOPERATE", "CHN", "PAK")}),
    ("ru", "Россия и Белоруссия работают над новой концепцией безопасности.", {("COOPERATE", "BLR", "RUS")}),
    # A visit needs its destination right after the verb.
    ("en", "The Russian leader came to Belarus for a two-day stay.", {("CONSULT", "BLR", "RUS")}),
    ("en", "The Kremlin boss came under pressure from Belarus.", set()),
    ("ru", "Глава Кремля в понедельник приехал в Минск.", {("CONSULT", "BLR", "RUS")}),
    # Permission to use territory or airspace is military aid from the host.
    (
        "de",
        "Belarus hat Moskau erlaubt, sein Territorium für Manöver zu nutzen.",
        {("AID", "BLR", "RUS")},
    ),
    ("en", "Belarus allowed Russia to use its territory.", {("AID", "BLR", "RUS")}),
    # A purpose clause states an aim: only the sending is an event.
    (
        "de",
        "Nordkorea entsandte Soldaten nach Russland, um die russische Armee zu unterstützen.",
        {("AID", "PRK", "RUS")},
    ),
    (
        "ru",
        "КНДР направила солдат в Россию, чтобы поддержать российскую армию.",
        {("AID", "PRK", "RUS")},
    ),
    # "поддержка РФ": a genitive after a support noun is what is supported.
    ("ru", "Ким Чен Ын заявил о поддержке России.", {("SUPPORT", "PRK", "RUS")}),
    # The pledge's infinitive carries the event; its object is no subject.
    (
        "de",
        "Pjöngjang verpflichtet sich, Russland in allen Fragen zu unterstützen, auch in der ukrainischen Frage.",
        {("SUPPORT", "PRK", "RUS")},
    ),
    # "between X and Y" after a noun is the pair, not the subject of the sentence.
    (
        "en",
        "The United States and South Korea voiced alarm at the military ties between Moscow and Pyongyang.",
        {("COOPERATE", "PRK", "RUS")},
    ),
    (
        "de",
        "Die Gespräche zwischen Xi Jinping und Wladimir Putin dauerten drei Stunden.",
        {("CONSULT", "CHN", "RUS")},
    ),
    # ", but ..." and ", and ..." start a clause of their own.
    (
        "en",
        "Finland joined NATO in April 2023, but Sweden's bid was held up by Turkey.",
        {("AGREE", "FIN", "NATO")},
    ),
    # A time phrase built on another event keeps its actors: no request to Russia.
    (
        "en",
        "Sweden applied for membership of NATO in May 2022, three months after Russia launched its invasion.",
        {("REQUEST", "SWE", "NATO")},
    ),
    (
        "de",
        "Schweden stellte den Antrag bei der NATO kurz nach dem russischen Angriff auf die Ukraine.",
        {("REQUEST", "SWE", "NATO"), ("ASSAULT", "RUS", "UKR")},
    ),
    # A bare attack noun needs its target right after it.
    ("en", "Russia launched an attack on Ukraine.", {("ASSAULT", "RUS", "UKR")}),
    (
        "de",
        "Moskau bestätigte die Beteiligung nordkoreanischer Soldaten an den Kämpfen im Grenzgebiet.",
        set(),
    ),
    # A venue is no participant, and a companion joins the subject, not an attack noun.
    (
        "ru",
        "Владимир Путин и Си Цзиньпин встретились в Астане.",
        {("CONSULT", "CHN", "RUS")},
    ),
    (
        "de",
        "Finnland stellte den Antrag gemeinsam mit Schweden kurz nach dem russischen Angriff auf die Ukraine.",
        {("ASSAULT", "RUS", "UKR")},
    ),
    # An institution named by its seat acts for its state; an ambassador in Berlin does not.
    (
        "de",
        "Das Parlament in Ankara stimmte einstimmig für die Aufnahme Finnlands.",
        {("SUPPORT", "TUR", "FIN")},
    ),
    (
        "de",
        "Der russische Botschafter in Berlin traf den polnischen Außenminister.",
        {("CONSULT", "POL", "RUS")},
    ),
    # A possessive pronoun gives a war noun the nearest actor before it; an allegation does not
    # make the war itself an allegation.
    ("en", "Russia launched its full-scale invasion of Ukraine.", {("ASSAULT", "RUS", "UKR")}),
    (
        "en",
        "The United States accuses Tehran of supplying Russia with drones for its war in Ukraine.",
        {("ACCUSE", "USA", "IRN"), ("ASSAULT", "RUS", "UKR")},
    ),
    # A wire dateline names where the story was filed, not a party.
    (
        "en",
        "PYONGYANG/SEOUL, June 19 (Meridian Wire) - Russia and North Korea signed a mutual defence pact.",
        {("AGREE", "PRK", "RUS")},
    ),
    # Who reports an event takes no part in it.
    (
        "de",
        "Nach Angaben Kiews hat Russland in der Nacht die Ukraine angegriffen.",
        {("ASSAULT", "RUS", "UKR")},
    ),
    ("de", "US-Angaben zufolge lieferte Nordkorea Granaten an Russland.", {("AID", "PRK", "RUS")}),
    ("en", "According to Washington, Iran sent drones to Russia.", {("AID", "IRN", "RUS")}),
    (
        "ru",
        "КНДР, по данным Сеула и Вашингтона, поставила России миллионы артиллерийских снарядов.",
        {("AID", "PRK", "RUS")},
    ),
    # Inflected names are no subjects: "Путина" belongs to "выступление".
    (
        "ru",
        "Выступление Путина прозвучало после визита президента США в Киев.",
        {("CONSULT", "UKR", "USA")},
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), EVENT_CASES)
def test_events(language: str, text: str, expected: set[Dyad]) -> None:
    assert dyads(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der Krieg in der Ukraine belastet die Beziehungen zwischen Russland und Belarus."),
        ("en", "The war in Ukraine has strained ties between Russia and Belarus."),
        ("ru", "Война на Украине осложнила отношения между Россией и Белоруссией."),
    ],
)
def test_war_noun_without_aggressor_is_no_assault(language: str, text: str) -> None:
    assert not any(row["event_type"] == "ASSAULT" for row in code(language, text))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der Kreml schickte russische Truppen nach Belarus."),
        ("en", "The Kremlin sent Russian troops to Belarus."),
        ("ru", "Путин встретился с российским министром обороны и Лукашенко."),
    ],
)
def test_no_event_between_an_actor_and_itself(language: str, text: str) -> None:
    rows = code(language, text)
    assert rows  # the sentence is coded ...
    assert all(row["source_country"] != row["target_country"] for row in rows)  # ... never as X->X


# ------------------------------------------------------------------ status and polarity

NEGATION_CASES = [
    ("de", "Russland lieferte Panzer an Belarus.", ("AID", "RUS", "BLR"), False),
    ("de", "Russland lieferte keine Panzer an Belarus.", ("AID", "RUS", "BLR"), True),
    (
        "de",
        "Russland hat nicht die Absicht, Soldaten in Belarus zu stationieren.",
        ("MOBILIZE", "RUS", "BLR"),
        True,
    ),
    (
        "de",
        "Moskau bestritt, dass Russland Truppen nach Belarus geschickt habe.",
        ("MOBILIZE", "RUS", "BLR"),
        True,
    ),
    ("en", "Germany sent tanks to Ukraine.", ("AID", "DEU", "UKR"), False),
    ("en", "Germany did not send tanks to Ukraine.", ("AID", "DEU", "UKR"), True),
    ("en", "Russia does not intend to deploy troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), True),
    ("en", "Russia denied that it had sent troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), True),
    ("ru", "Россия направила войска в Белоруссию.", ("MOBILIZE", "RUS", "BLR"), False),
    ("ru", "Россия не будет направлять войска в Белоруссию.", ("MOBILIZE", "RUS", "BLR"), True),
    ("ru", "Россия не поставляла оружие в Белоруссию.", ("AID", "RUS", "BLR"), True),
    ("ru", "Москва опровергла, что направила войска в Белоруссию.", ("MOBILIZE", "RUS", "BLR"), True),
    (
        "en",
        "Lukashenko, who never travels to Moscow, met Xi Jinping in Beijing.",
        ("CONSULT", "BLR", "CHN"),
        False,
    ),
]


@pytest.mark.parametrize(("language", "text", "dyad", "expected"), NEGATION_CASES)
def test_negation(language: str, text: str, dyad: Dyad, expected: bool) -> None:
    assert negated(language, text, dyad) is expected


STATUS_CASES = [
    ("de", "Russland schickte Truppen nach Belarus.", ("MOBILIZE", "RUS", "BLR"), "occurred"),
    ("de", "Russland wird Truppen nach Belarus schicken.", ("MOBILIZE", "RUS", "BLR"), "planned"),
    (
        "de",
        "Putin kündigte an, dass Russland Truppen nach Belarus schicken wird.",
        ("MOBILIZE", "RUS", "BLR"),
        "announced",
    ),
    ("de", "Russland könnte Truppen nach Belarus schicken.", ("MOBILIZE", "RUS", "BLR"), None),
    (
        "de",
        "Wenn Russland Truppen nach Belarus schickt, reagiert die Ukraine.",
        ("MOBILIZE", "RUS", "BLR"),
        None,
    ),
    (
        "de",
        "Lukaschenko, der bald nach Moskau reisen will, traf Xi Jinping in Peking.",
        ("CONSULT", "BLR", "CHN"),
        "occurred",
    ),
    ("en", "Russia deployed troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), "occurred"),
    ("en", "Russia will deploy troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), "planned"),
    ("en", "Russia plans to deploy troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), "planned"),
    (
        "en",
        "Russia announced that it will deploy troops to Belarus.",
        ("MOBILIZE", "RUS", "BLR"),
        "announced",
    ),
    ("en", "Russia might deploy troops to Belarus.", ("MOBILIZE", "RUS", "BLR"), None),
    (
        "en",
        "If Russia deploys troops to Belarus, Ukraine will respond.",
        ("MOBILIZE", "RUS", "BLR"),
        None,
    ),
    ("ru", "Россия разместила ракеты в Белоруссии.", ("MOBILIZE", "RUS", "BLR"), "occurred"),
    ("ru", "Россия будет размещать ракеты в Белоруссии.", ("MOBILIZE", "RUS", "BLR"), "planned"),
    ("ru", "Россия планирует разместить ракеты в Белоруссии.", ("MOBILIZE", "RUS", "BLR"), "planned"),
    (
        "ru",
        "Путин объявил, что Россия будет размещать ракеты в Белоруссии.",
        ("MOBILIZE", "RUS", "BLR"),
        "announced",
    ),
    ("ru", "Россия может направить войска в Белоруссию.", ("MOBILIZE", "RUS", "BLR"), None),
    (
        "ru",
        "Если Россия направит войска в Белоруссию, Украина ответит.",
        ("MOBILIZE", "RUS", "BLR"),
        None,
    ),
    (
        "ru",
        "Россия разместит ракеты в Белоруссии.",
        ("MOBILIZE", "RUS", "BLR"),
        "planned",
    ),
    (
        "ru",
        "Лукашенко, который скоро поедет в Москву, встретился с Си Цзиньпином в Пекине.",
        ("CONSULT", "BLR", "CHN"),
        "occurred",
    ),
]


@pytest.mark.parametrize(("language", "text", "dyad", "expected"), STATUS_CASES)
def test_status(language: str, text: str, dyad: Dyad, expected: str | None) -> None:
    """None: speculation and conditionals are no events."""
    assert status(language, text, dyad) == expected


# ------------------------------------------------------------------ dates

DATE_CASES = [
    # A German day part ("am Mittwochabend") is that weekday.
    (
        "de",
        "Selenskyj telefonierte am Mittwochabend mit Kanzler Olaf Scholz.",
        ("CONSULT", "DEU", "UKR"),
        PUBLISHED,
        (date(2024, 4, 10), "day"),
    ),
    # An announced event is dated by its announcement; a reported past event is not.
    (
        "en",
        "Germany announced on April 8 that it would send a third Patriot system to Ukraine.",
        ("AID", "DEU", "UKR"),
        PUBLISHED,
        (date(2024, 4, 8), "day"),
    ),
    # An "after" clause keeps its own time: the invasion is not dated May 2022.
    (
        "en",
        "Sweden applied for membership of NATO in May 2022, three months after Russia launched its invasion of Ukraine.",
        ("ASSAULT", "RUS", "UKR"),
        PUBLISHED,
        (None, None),
    ),
    # An aside in brackets does not cut the clause: "(OVKS)" stands beside its subject.
    (
        "de",
        "Die Organisation des Vertrags über kollektive Sicherheit (OVKS) hat am Donnerstag mit dem Abzug "
        "ihrer Truppen aus Kasachstan begonnen.",
        ("RETREAT", "CSTO", "KAZ"),
        PUBLISHED,
        (date(2024, 4, 4), "day"),
    ),
    (
        "de",
        "Russland und Belarus unterzeichneten am 6. April 2024 ein Abkommen über militärische Zusammenarbeit.",
        ("AGREE", "BLR", "RUS"),
        PUBLISHED,
        (date(2024, 4, 6), "day"),
    ),
    (
        "de",
        "Putin besuchte am Freitag Nordkorea.",
        ("CONSULT", "PRK", "RUS"),
        PUBLISHED,
        (date(2024, 4, 5), "day"),
    ),
    (
        "de",
        "Putin besuchte am Freitag Nordkorea.",
        ("CONSULT", "PRK", "RUS"),
        date(2024, 4, 20),
        (date(2024, 4, 19), "day"),
    ),
    (
        "de",
        "Putin besuchte im Oktober Nordkorea.",
        ("CONSULT", "PRK", "RUS"),
        PUBLISHED,
        (date(2023, 10, 1), "month"),
    ),
    ("de", "Putin besuchte Nordkorea.", ("CONSULT", "PRK", "RUS"), PUBLISHED, (None, None)),
    (
        "de",
        "Peskow sagte am Freitag, dass Russland Truppen nach Belarus geschickt habe.",
        ("MOBILIZE", "RUS", "BLR"),
        PUBLISHED,
        (None, None),
    ),
    (
        "de",
        "Lukaschenko, der Russland am Freitag um Waffen bat, traf Xi Jinping in Peking.",
        ("CONSULT", "BLR", "CHN"),
        PUBLISHED,
        (None, None),
    ),
    (
        "de",
        "Lukaschenko, der Russland am Freitag um Waffen bat, traf Xi Jinping in Peking.",
        ("REQUEST", "BLR", "RUS"),
        PUBLISHED,
        (date(2024, 4, 5), "day"),
    ),
    (
        "en",
        "Germany sent tanks to Ukraine on April 6, 2024.",
        ("AID", "DEU", "UKR"),
        PUBLISHED,
        (date(2024, 4, 6), "day"),
    ),
    (
        "en",
        "Germany sent tanks to Ukraine on Friday.",
        ("AID", "DEU", "UKR"),
        PUBLISHED,
        (date(2024, 4, 5), "day"),
    ),
    (
        "en",
        "Putin visited North Korea in October.",
        ("CONSULT", "PRK", "RUS"),
        PUBLISHED,
        (date(2023, 10, 1), "month"),
    ),
    (
        "en",
        "Putin met Lukashenko last June.",
        ("CONSULT", "BLR", "RUS"),
        PUBLISHED,
        (date(2023, 6, 1), "month"),
    ),
    ("en", "Putin met Lukashenko.", ("CONSULT", "BLR", "RUS"), PUBLISHED, (None, None)),
    (
        "en",
        "Peskov said on Friday that Russia had sent troops to Belarus.",
        ("MOBILIZE", "RUS", "BLR"),
        PUBLISHED,
        (None, None),
    ),
    (
        "ru",
        "Россия и Белоруссия подписали 6 апреля 2024 года соглашение о военном сотрудничестве.",
        ("AGREE", "BLR", "RUS"),
        PUBLISHED,
        (date(2024, 4, 6), "day"),
    ),
    ("ru", "Путин в пятницу посетил КНДР.", ("CONSULT", "PRK", "RUS"), PUBLISHED, (date(2024, 4, 5), "day")),
    ("ru", "Путин посетил КНДР в июле.", ("CONSULT", "PRK", "RUS"), PUBLISHED, (date(2023, 7, 1), "month")),
    (
        "ru",
        "Путин встретился с Лукашенко в прошлом июне.",
        ("CONSULT", "BLR", "RUS"),
        PUBLISHED,
        (date(2023, 6, 1), "month"),
    ),
    ("ru", "Путин посетил КНДР.", ("CONSULT", "PRK", "RUS"), PUBLISHED, (None, None)),
    (
        "ru",
        "Песков в пятницу заявил, что Россия направила войска в Белоруссию.",
        ("MOBILIZE", "RUS", "BLR"),
        PUBLISHED,
        (None, None),
    ),
]


@pytest.mark.parametrize(("language", "text", "dyad", "published", "expected"), DATE_CASES)
def test_event_date(language: str, text: str, dyad: Dyad, published: date, expected: tuple) -> None:
    assert event_date(language, text, dyad, published) == expected


@pytest.mark.parametrize(
    ("language", "before", "text", "expected"),
    [
        (
            "en",
            "Lukashenko met Putin in Sochi.",
            "A day later he refused to back Russia in the conflict.",
            {("REJECT", "BLR", "RUS")},
        ),
        (
            "de",
            "Paschinjan sprach in Eriwan vor Journalisten.",
            "Am Montag kritisierte er Russland scharf.",
            {("ACCUSE", "ARM", "RUS")},
        ),
        ("ru", "Лукашенко выступил в Минске.", "Он отказался поддержать Россию.", {("REJECT", "BLR", "RUS")}),
    ],
)
def test_a_pronoun_stands_for_the_previous_subject(
    language: str, before: str, text: str, expected: set
) -> None:
    from pipeline.lib.events.coder import sentence_subject

    previous = _pipeline(language)(before)
    previous.user_data["ctx"] = SentenceContext("d", 0, 0, PUBLISHED).as_user_data()
    subject = sentence_subject(previous, language, LEXICON, DICTIONARY)
    doc = _pipeline(language)(text)
    doc.user_data["ctx"] = SentenceContext("d", 1, 0, PUBLISHED).as_user_data()
    rows = events_for_sentence(doc, language, LEXICON, DICTIONARY, subject)
    assert {_dyad(row) for row in rows if not row["negated"]} == expected
    # Without the sentence before, the pronoun stands for nobody.
    assert not [row for row in events_for_sentence(doc, language, LEXICON, DICTIONARY) if not row["negated"]]
