"""Cleaning: boilerplate lines, dates, sentences, language, titles."""

from datetime import date

import pytest

from pipeline.lib.text.boilerplate import remove_boilerplate
from pipeline.lib.text.clean import clean_document, normalise_text, parse_iso_date
from pipeline.lib.text.dates import find_dates
from pipeline.lib.text.language import detect_language, document_language
from pipeline.lib.text.sentences import split_sentences

LANGS = ("de", "en", "ru")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Beitrag teilen", "share_prompt"),
        ("Share this article", "share_prompt"),
        ("Поделиться", "share_prompt"),
        ("Folgen Sie unserem WhatsApp-Kanal für aktuelle Meldungen.", "subscribe_prompt"),
        ("Subscribe to our newsletter for daily updates", "subscribe_prompt"),
        ("Подписывайтесь на наш Telegram-канал", "subscribe_prompt"),
        ('[the_ad_group id="4150"]', "ad_shortcode"),
        ("Foto: dpa/Max Mustermann", "credit"),
        ("Фото: ТАСС", "credit"),
        ("Lesen Sie auch: Unwetter in Bayern", "teaser"),
        ("Read more: Storm hits the coast", "teaser"),
        ("Читайте также: Погода в Москве", "teaser"),
        ("Schlagwörter: Russland, Belarus", "tag_list"),
        ("Home | Politik | Wirtschaft | Sport", "navigation"),
        ("Jane Doe is a correspondent covering Eastern Europe.", "author_bio"),
        ("DIE POSAUNE", "fragment"),
    ],
)
def test_boilerplate_lines_are_dropped_with_reason(line, reason):
    result = remove_boilerplate(line + "\nRussland und Belarus unterzeichneten am Freitag einen Vertrag.")
    assert result.removed == [(reason, line)]
    assert result.kept == ["Russland und Belarus unterzeichneten am Freitag einen Vertrag."]


def test_article_sentences_and_headlines_survive():
    text = (
        "Putin und Lukaschenko unterzeichnen Sicherheitsvertrag\n"
        "Russland hat Belarus Sicherheitsgarantien gegeben, sagte der Kreml.\n"
        "Nordkorea schickte Soldaten nach Russland."
    )
    assert remove_boilerplate(text).removed == []


def test_repeated_paragraph_kept_once():
    paragraph = "Die Planungen laufen bereits, erklärte der Minister am Donnerstag."
    result = remove_boilerplate(f"{paragraph}\nAndere Zeile mit Inhalt und einem Punkt.\n{paragraph}")
    assert result.kept.count(paragraph) == 1
    assert result.removed == [("repeated_line", paragraph)]


def test_markdown_residue_is_stripped_but_words_kept():
    result = remove_boilerplate(
        "- Laut [Reuters](https://example.org) unterzeichneten beide Seiten einen Vertrag."
    )
    assert result.kept == ["Laut Reuters unterzeichneten beide Seiten einen Vertrag."]


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("am 6. April bekannt", date(2024, 4, 6), "day"),
        ("am 19. Juni 2024 unterzeichnet", date(2024, 6, 19), "day"),
        ("Stand: 11.04.2023", date(2023, 4, 11), "day"),
        ("on June 19, 2024 in Pyongyang", date(2024, 6, 19), "day"),
        ("19 июня 2024 года", date(2024, 6, 19), "day"),
        ("am Freitag in Minsk", date(2024, 12, 6), "day"),
        ("в пятницу", date(2024, 12, 6), "day"),
        ("im Juni 2024", date(2024, 6, 1), "month"),
        ("Mitte Oktober", date(2024, 10, 1), "month"),
        ("im vergangenen Monat", date(2024, 11, 1), "month"),
        ("в прошлом месяце", date(2024, 11, 1), "month"),
        ("в 2025 году", date(2025, 1, 1), "year"),
        ("2024-12-06", date(2024, 12, 6), "day"),
    ],
)
def test_dates_resolve_against_publication_date(text, expected, precision):
    mentions = find_dates(text, reference=date(2024, 12, 7))
    assert [(m.value, m.precision) for m in mentions] == [(expected, precision)]


def test_dates_without_reference_never_guess():
    assert [m.value for m in find_dates("am Freitag und am 6. April")] == [None, None]


@pytest.mark.parametrize("text", ["bis zu 30.000 Soldaten", "They may 5 times", "Seite 2024a"])
def test_numbers_that_are_no_dates(text):
    assert find_dates(text, date(2024, 1, 1)) == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Putin sagte am 6. April, dass z. B. Dr. Müller u. a. kam. Danach ging er.", 2),
        ("de", "Am 19. Juni 2024 unterzeichneten sie den Vertrag. „Wir sind bereit.“ Dann kam er.", 3),
        ("de", "Er sagte: „Das ist gut.“ Sie gingen.", 2),
        ("en", "Mr. Putin met Dr. Kim on Jan. 5. The U.S. objected.", 2),
        ("ru", "В 2024 г. Путин подписал ст. 5 договора. Затем т. е. через год всё изменилось.", 2),
        ("ru", "Он сказал: «Мы готовы». Потом ушёл.", 2),
    ],
)
def test_sentence_splitting(language, text, expected):
    spans = split_sentences(text, language)
    assert len(spans) == expected
    assert text[spans[1][0]] not in " “»"


def test_language_detection():
    assert detect_language("Russland und Belarus unterzeichneten einen Vertrag.", LANGS) == "de"
    assert detect_language("Russia and Belarus signed a treaty on Friday.", LANGS) == "en"
    assert detect_language("Россия и Белоруссия подписали договор.", LANGS) == "ru"
    assert detect_language("Ok.", LANGS, default="de") == "de"


def test_document_language_mixed_by_script_or_share():
    assert document_language([("de", 3000), ("ru", 60)]) == "mixed"
    assert document_language([("de", 3000), ("en", 60)]) == "de"
    assert document_language([("de", 600), ("en", 400)]) == "mixed"


def test_clean_document_metadata_wins_and_sentences_index_text():
    body = "MASTHEAD\n\nRusslands Präsident reist nach Minsk\n11.04.2023\n\nPutin traf Lukaschenko am Freitag. Sie sprachen lange."
    cleaned = clean_document(body, "text", {"outlet": "Kurier"}, LANGS)
    assert cleaned.published_date == date(2023, 4, 11)
    assert cleaned.title == "Russlands Präsident reist nach Minsk"
    assert cleaned.outlet == "Kurier"
    assert [cleaned.text[s.start : s.end] for s in cleaned.sentences][-2:] == [
        "Putin traf Lukaschenko am Freitag.",
        "Sie sprachen lange.",
    ]
    with_meta = clean_document(body, "text", {"published": "2024-12-07T10:00:00Z"}, LANGS)
    assert with_meta.published_date == date(2024, 12, 7)


def test_no_date_means_none_never_today():
    cleaned = clean_document(
        "Putin traf Lukaschenko am Freitag in Minsk und sprach lange.", "text", {}, LANGS
    )
    assert cleaned.published_date is None


def test_html_page_main_text_title_and_date():
    page = (
        "<html><head><title>Sweden joins NATO</title>"
        "<meta property='article:published_time' content='2024-03-07T18:45:00+00:00'></head><body>"
        "<nav>Home | World</nav><article><h1>Sweden joins NATO</h1>"
        "<p>Sweden formally joined NATO on Thursday, becoming the alliance's 32nd member state.</p>"
        "<p>Prime Minister Ulf Kristersson handed over the accession documents in Washington.</p>"
        "</article><script>var x = 1;</script></body></html>"
    )
    cleaned = clean_document(page, "html", {}, LANGS)
    assert cleaned.published_date == date(2024, 3, 7)
    assert cleaned.title == "Sweden joins NATO"
    assert "Sweden formally joined NATO on Thursday" in cleaned.text
    assert "var x" not in cleaned.text


def test_normalise_and_iso_dates():
    assert normalise_text("a\u00a0b\r\nc\u200b") == "a b\nc"
    assert parse_iso_date("2024-12-07T10:00:00+02:00") == date(2024, 12, 7)
    assert parse_iso_date("7 Dec 2024") is None
