"""Sentence boundaries (abbreviations, ordinals, quotes), date lines, headlines and languages."""

from datetime import date

import pytest

from pipeline.lib.text.clean import _date_from_lines, _title_from_lines, clean_document
from pipeline.lib.text.language import MIXED, detect_language, document_language
from pipeline.lib.text.sentences import split_sentences

LANGS = ("de", "en", "ru")

# Each case is the expected sentences; the text given to the splitter is them joined by a space.
GERMAN = [
    ["Putin sagte am 6. April, dass er kommt.", "Danach reiste er ab."],
    ["Am 19. Juni 2024 unterzeichneten sie den Vertrag.", "Dann reisten sie ab."],
    ["Das gilt z. B. für Dr. Müller.", "Er stimmte zu."],
    ["Vertreter u. a. aus Polen bzw. Litauen kamen.", "Sie berieten lange."],
    ["Das Gesetz Nr. 5 tritt in Kraft.", "Es gilt ab sofort."],
    ["Der Vertrag wurde in St. Petersburg unterzeichnet.", "Er gilt ab Juli."],
    ["Es kamen ca. 300 Soldaten.", "Das bestätigte Prof. Schmidt."],
    ["Prof. Dr. Müller und Wladimir W. Putin sprachen.", "Sie einigten sich."],
    ["Im 2. Weltkrieg kämpfte er.", "Danach kam er zurück."],
    ["Es kostete 5 Mio. Euro.", "Das ist viel."],
    ["Die Zahl der Toten stieg auf 25.", "Die Polizei ermittelt."],
    ["Er kam im Jahr 2024.", "Seitdem ist alles anders."],
    ["Geliefert wurden Panzer, Raketen, Munition usw.", "Alle Nachbarn protestierten."],
    ["Er sagte: „Wir sind bereit.“", "Dann ging er."],
    ["Der Vertrag ist unterzeichnet.", "„Wir sind bereit.“", "Dann kam er."],
    ["„Wir sind bereit“, sagte der Minister.", "Dann ging er."],
    ["Der Kanzler fragte: „Wer zahlt das?“", "Niemand antwortete."],
    ["Er sagte: „Wir sind bereit.“", "„Und ihr?“ fragte er."],
    ["Er sagte: „Das ist gut“.", "Sie gingen."],
    ["Er sagte: »Wir sind bereit.«", "Dann ging er."],
    ['"Wir sind bereit", sagte er.', "Sie gingen."],
    ["Ist das der Anfang?", "Niemand weiß es!", "Die Lage bleibt unklar."],
    ["Die Frage bleibt offen…", "Am Montag wird weiterverhandelt."],
    ["„Wir werden […] Frieden schaffen“, sagte er.", "Er forderte 100 (!) Panzer."],
]
ENGLISH = [
    ["Mr. Putin met Dr. Kim on Jan. 5.", "The U.S. objected."],
    ["The U.S. Senate voted on Friday.", "It passed."],
    ["Sanctions came from the U.S.", "The Kremlin responded."],
    ["Resolution No. 5 was adopted.", "It takes effect now."],
    ["Gen. Gerasimov arrived in Minsk.", "He met officials."],
    ["Some allies, e.g. Poland, objected.", "Others agreed."],
    ["John F. Kennedy visited Berlin.", "He spoke."],
    ["He met Sen. Smith and Gov. Brown on Sept. 4.", "They talked."],
    ["The meeting took place on Jan. 5, 2024 in Minsk.", "Both sides signed."],
    ["St. Petersburg hosted the forum.", "It ended on Friday."],
    ["He listed tanks, guns, etc.", "The list was long."],
    ["The delegations met at 5 p.m.", "They talked for two hours."],
    ["Troops, tanks, etc. were moved.", "The war began."],
    ['He said: "We are ready."', "Then he left."],
    ['"We are ready," he said.', "Then he left."],
    ["The minister said “no.”", "The vote failed."],
    ['"Who pays?" he asked.', '"Nobody."', "The talks ended."],
    ["Is this the end?", "Nobody knows!", "The talks continue."],
    ["The talks stalled…", "Negotiators will return on Monday."],
]
RUSSIAN = [
    ["В 2024 г. Путин подписал ст. 5 договора.", "Затем всё изменилось."],
    ["Это случилось в 2024 г.", "Потом всё изменилось."],
    ["В 2020–2024 гг. экономика росла.", "Потом упала."],
    ["Это, т. е. новый договор, вступит в силу.", "Он важен."],
    ["Приехали министры, депутаты и т. д.", "Встреча прошла в Минске."],
    ["Договор подписали Россия, Белоруссия и др.", "Страны ЕС выступили против."],
    ["В. В. Путин провёл встречу.", "Она длилась час."],
    ["Путин В. В. провёл встречу.", "Она длилась час."],
    ["Встреча прошла в Доме культуры им. Горького.", "Все пришли."],
    ["Он живёт в г. Москве уже давно.", "Все знают."],
    ["Бюджет составил 5 млн руб. в год.", "Это много."],
    ["Ущерб оценили в 300 млн руб.", "Расследование продолжается."],
    ["В XX в. Россия росла.", "В 1990-х гг. она упала."],
    ["Он сказал: «Мы готовы».", "Потом ушёл."],
    ["Министр заявил: «Мы готовы к переговорам.»", "Затем он уехал."],
    ["«Мы готовы», — заявил министр.", "Переговоры продолжатся."],
    ["Он спросил: «Кто заплатит?» — и ушёл.", "Ответа не было."],
    ["Кто за это заплатит?", "Никто не знает!", "Переговоры продолжаются."],
    ["Переговоры зашли в тупик…", "Стороны встретятся в понедельник."],
]
SENTENCE_CASES = [
    *(("de", case) for case in GERMAN),
    *(("en", case) for case in ENGLISH),
    *(("ru", case) for case in RUSSIAN),
]


@pytest.mark.parametrize(("language", "sentences"), SENTENCE_CASES, ids=lambda value: str(value)[:40])
def test_sentence_spans(language, sentences):
    text = " ".join(sentences)
    assert [text[start:end] for start, end in split_sentences(text, language)] == sentences


def test_spans_point_into_text_with_extra_spaces():
    text = "  Er kam am 6. April.   „Wir sind bereit.“  "
    spans = split_sentences(text, "de")
    assert [text[start:end] for start, end in spans] == ["Er kam am 6. April.", "„Wir sind bereit.“"]


HEADLINE = "Putin und Lukaschenko unterzeichnen Sicherheitsvertrag"
BODY = "Russland hat Belarus am Freitag Sicherheitsgarantien gegeben, sagte der Kreml in Moskau."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("11.04.2023", date(2023, 4, 11)),
        ("6 April 2024", date(2024, 4, 6)),
        ("April 6, 2024", date(2024, 4, 6)),
        ("2024-12-06", date(2024, 12, 6)),
        ("6. Dezember 2024", date(2024, 12, 6)),
        ("06.12.2024, 14:35 Uhr", date(2024, 12, 6)),
        ("Stand: 06.12.2024", date(2024, 12, 6)),
        ("Aktualisiert am 6. Dezember 2024 um 14:35", date(2024, 12, 6)),
        ("Freitag, 6. Dezember 2024, 14:35 Uhr", date(2024, 12, 6)),
        ("Berlin, 6. Dezember 2024", date(2024, 12, 6)),
        ("Von Anna Schmidt | 06.12.2024", date(2024, 12, 6)),
        ("By Staff Reporter | April 21, 2024 | 4 min read", date(2024, 4, 21)),
        ("6 декабря 2024", date(2024, 12, 6)),
        ("06.12.2024 в 14:35", date(2024, 12, 6)),
        ("Опубликовано: 6 декабря 2024 г.", date(2024, 12, 6)),
        ("Пятница, 6 дек. 2024 г., 14:35 мск", date(2024, 12, 6)),
        ("Published 6 Dec 2024", date(2024, 12, 6)),
        ("Published Dec. 6, 2024 at 2:35 p.m. ET", date(2024, 12, 6)),
    ],
)
def test_publication_date_from_date_line(line, expected):
    assert _date_from_lines([HEADLINE, line, BODY]) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Am 6. April 2024 unterzeichneten sie den Vertrag.",
        "Russland und Belarus unterzeichneten am 6. Dezember 2024 in Minsk einen Vertrag.",
        "On April 6, 2024 Putin signed the treaty.",
        "6 декабря 2024 г. Путин подписал договор.",
        "Gipfel in Minsk am 6. Dezember 2024",
        "Heute, 14:35 Uhr",
        "am 6. April",
        "Stand: Dezember 2024",
    ],
)
def test_no_publication_date_from_body_text_or_vague_dates(line):
    assert _date_from_lines([HEADLINE, line, BODY]) is None


def test_no_date_line_means_no_date():
    assert _date_from_lines([HEADLINE, BODY]) is None
    assert _date_from_lines([]) is None


def test_date_line_after_a_dated_body_sentence_and_only_near_the_top():
    lines = [HEADLINE, "Am 6. April 2024 unterzeichneten sie den Vertrag.", "Stand: 07.12.2024"]
    assert _date_from_lines(lines) == date(2024, 12, 7)
    assert _date_from_lines([HEADLINE, *[BODY] * 8, "Stand: 07.12.2024"]) is None


@pytest.mark.parametrize(
    ("kept", "expected"),
    [
        ([HEADLINE, BODY], HEADLINE),
        (["Stand: 06.12.2024", "Kommt jetzt der Frieden?", BODY], "Kommt jetzt der Frieden?"),
        (["Exklusiv:", HEADLINE, BODY], HEADLINE),
        (["Путин и Лукашенко подписали договор", BODY], "Путин и Лукашенко подписали договор"),
        ([BODY, HEADLINE], None),
        (["x" * 201, BODY], None),
        ([], None),
    ],
)
def test_title_is_the_first_headline_like_line(kept, expected):
    assert _title_from_lines(kept) == expected


def test_clean_document_takes_date_line_and_headline():
    body = f"{HEADLINE}\nAktualisiert am 6. Dezember 2024 um 14:35\n{BODY}"
    cleaned = clean_document(body, "text", {}, LANGS)
    assert cleaned.published_date == date(2024, 12, 6)
    assert cleaned.title == HEADLINE
    assert clean_document(f"{HEADLINE}\n{BODY}", "text", {}, LANGS).published_date is None


def _sentence_languages(body: str, languages: tuple[str, ...]) -> list[tuple[str, str]]:
    cleaned = clean_document(body, "text", {}, languages)
    return [(cleaned.text[s.start : s.end], s.language) for s in cleaned.sentences]


@pytest.mark.parametrize(
    "headline",
    ["Путин и Лукашенко подписали договор о безопасности", "Путин прибыл в Минск"],
)
def test_russian_headline_over_german_body_is_mixed(headline):
    body = (
        f"{headline}\n{BODY} Der Vertrag sieht auch den Einsatz von Atomwaffen vor. "
        "Kritiker sprechen von einer Annexion durch die Hintertür."
    )
    cleaned = clean_document(body, "text", {}, LANGS)
    assert cleaned.language == MIXED
    assert [s.language for s in cleaned.sentences] == ["ru", "de", "de", "de"]


def test_each_sentence_of_a_mixed_paragraph_gets_its_language():
    body = "Путин прибыл в Минск на переговоры. Er kam spät. Переговоры длились час. Danach gab es ein Abendessen."
    assert _sentence_languages(body, LANGS) == [
        ("Путин прибыл в Минск на переговоры.", "ru"),
        ("Er kam spät.", "de"),
        ("Переговоры длились час.", "ru"),
        ("Danach gab es ein Abendessen.", "de"),
    ]


def test_configured_french_is_detected():
    french = "Le président français a critiqué l'accord signé à Minsk."
    assert detect_language(french, ("de", "en", "ru", "fr")) == "fr"
    assert detect_language(french, LANGS) in LANGS
    body = f"Russland und Belarus unterzeichneten am Freitag einen Vertrag. {french} Die Nato reagierte zurückhaltend."
    assert [language for _, language in _sentence_languages(body, ("de", "en", "ru", "fr"))] == [
        "de",
        "fr",
        "de",
    ]


def test_short_sentences_keep_context_language_only_in_the_same_script():
    assert detect_language("Er kam spät.", LANGS, default="ru") == "de"
    assert detect_language("Он пришёл.", LANGS, default="de") == "ru"
    assert detect_language("Ok.", LANGS, default="en") == "en"
    assert detect_language("Он пришёл.", ("de", "en"), default="de") in ("de", "en")


def test_few_letters_of_another_script_do_not_make_a_document_mixed():
    assert document_language([("de", 3000), ("ru", 15)]) == MIXED
    assert document_language([("de", 3000), ("ru", 5)]) == "de"
