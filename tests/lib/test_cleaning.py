"""The boilerplate remover's line rules, outlet-level repeats, repeated passages and its audit."""

import pytest

from pipeline.lib.text.boilerplate import is_date_stamp, is_meta_line, line_key, remove_boilerplate
from pipeline.lib.text.documents import clean_rows, count_outlet_lines, outlet_key, recurring_lines

BODY = "Russland und Belarus besiegelten am Freitag in Minsk ein neues Abkommen zur Luftverteidigung."
BODY_2 = "Der Vertrag sieht vor, dass Russland Belarus im Fall eines Angriffs mit allen Mitteln verteidigt."


@pytest.mark.parametrize(
    "line",
    [
        "11.04.2023",
        "06.12.2024, 14:35 Uhr",
        "Stand: 06.12.2024 14:35",
        "Aktualisiert am 6. Dezember 2024 um 14:35",
        "Published 6 Dec 2024",
        "June 19, 2024 at 2:20 pm GMT",
        "6 декабря 2024 г., 14:35 МСК",
        "Обновлено: 06.12.2024",
        "Almaty/Moskau, 14. Januar 2022",
        "WASHINGTON/SYDNEY, September 16, 2021",
        "Нью-Дели, 7 декабря 2021 года",
    ],
)
def test_date_stamp_lines(line):
    assert is_date_stamp(line)
    assert remove_boilerplate(f"{line}\n{BODY}").removed == [("date_stamp", line)]


@pytest.mark.parametrize(
    "line",
    [
        "Am 6. April 2024 unterzeichneten beide Seiten den Vertrag.",
        "Putin traf Kim am 19. Juni 2024 in Pjöngjang",
        "In 2024, 32 states were members.",
    ],
)
def test_sentences_with_dates_are_not_stamps(line):
    assert not is_date_stamp(line)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("By Staff Reporter | April 21, 2024 | 4 min read", "meta_line"),
        ("News > World > Asia-Pacific", "meta_line"),
        ("The Coastal Ledger | Your harbour, your news", "meta_line"),
        ("[25.01.2023](#) · Politik · Lesezeit 3 Min.", "meta_line"),
        ("[Mehr dazu](#) · [Alle Artikel zum Krieg in der Ukraine](#)", "link_residue"),
        ("![Ein Kampfpanzer bei einer Übung](https://example.net/img.jpg)", "caption"),
        ("Kristersson und Blinken bei der Zeremonie in Washington. Foto: Agentur/Archiv", "caption"),
        ("Putin und Lukaschenko im Kreml (Archivbild).", "caption"),
        ("Северокорейские военные во время парада (архив).", "caption"),
        ("ADVERTISEMENT - CONTINUE READING BELOW", "ad_shortcode"),
        ("This story was originally published by Meridian Wire and is republished here.", "credit"),
        ("Follow The Coastal Ledger on Facebook and X", "subscribe_prompt"),
        ("**Über den Autor:** Lukas Beispiel berichtet aus Berlin über Sicherheitspolitik.", "author_bio"),
    ],
)
def test_page_furniture_rules(line, reason):
    assert remove_boilerplate(f"{line}\n{BODY}").removed == [(reason, line)]


def test_meta_line_needs_short_segments():
    assert not is_meta_line(
        "Putin sagte, der Vertrag sei historisch | und fügte hinzu, er gelte sofort für beide."
    )


def test_subheading_between_paragraphs_is_kept_but_top_fragments_are_not():
    result = remove_boilerplate(f"Politik\nAusland\n{BODY}\nMilitärische Garantien\n{BODY_2}")
    assert result.kept == [BODY, "Militärische Garantien", BODY_2]
    assert [reason for reason, _ in result.removed] == ["fragment", "fragment"]


def test_repeated_passage_inside_a_longer_line_is_dropped():
    caption = "Nordkoreanische Soldaten auf einem Lastwagen bei einer Parade in Pjöngjang."
    result = remove_boilerplate(f"Bild in der Nähe: {caption}\n{BODY}\n{caption}")
    assert result.removed == [("repeated_passage", caption)]


def test_audit_has_line_numbers_of_the_raw_text():
    result = remove_boilerplate(f'Teilen\n\n{BODY}\n\n[the_ad id="1"]\n{BODY_2}')
    dropped = [(d.number, d.reason) for d in result.decisions if d.reason]
    assert dropped == [(1, "share_prompt"), (5, "ad_shortcode")]


def test_outlet_lines_drop_recurring_furniture_but_not_copies():
    furniture = "Die Redaktion empfiehlt unseren täglichen Überblick am Morgen."
    docs = [
        f"{BODY}\n{furniture}",
        f"{BODY_2}\n{furniture}",
        f"Ein dritter Artikel über Polen und die NATO.\n{furniture}",
    ]
    counts = count_outlet_lines((("outlet:x", text) for text in docs), None)
    recurring = recurring_lines(counts, 3)["outlet:x"]
    assert line_key(furniture) in recurring and line_key(BODY) not in recurring
    assert remove_boilerplate(docs[0], outlet_lines=recurring).removed == [("outlet_repeated", furniture)]
    # A document made mostly of recurring lines is a copy: nothing is dropped (dedup links it).
    copy_keys = recurring | {line_key(BODY)}
    assert remove_boilerplate(f"{BODY}\n{furniture}", outlet_lines=copy_keys).removed == []


def test_outlet_key_prefers_named_outlet_then_folder():
    assert outlet_key("feeds/a.txt", " The  Ledger ") == "outlet:the ledger"
    assert outlet_key("feeds/a.txt", None) == "folder:feeds"
    assert outlet_key("a.txt", "") == "folder:."


def test_clean_rows_use_counts_of_earlier_runs():
    furniture = "Jetzt unseren kostenlosen Morgenüberblick lesen und informiert bleiben"
    earlier = count_outlet_lines(
        [("folder:.", f"{BODY}\n{furniture}"), ("folder:.", f"{BODY_2}\n{furniture}")], None
    )
    raw = {
        "source_path": "new.txt",
        "input_file": "new.txt",
        "body": f"Polen und Litauen vereinbarten am Montag gemeinsame Manöver an der Grenze.\n{furniture}",
        "body_format": "text",
        "metadata": {},
        "content_sha256": "x",
        "record_sha256": "x",
        "ingested_at": None,
    }
    batch = clean_rows([raw], ("de", "en", "ru"), 20, earlier, 3)
    assert batch.documents[0]["removed_lines"] == [
        {"line": 2, "reason": "outlet_repeated", "text": furniture}
    ]
    assert (
        batch.outlet_lines.filter(batch.outlet_lines["line_key"] == line_key(furniture))["documents"].item()
        == 3
    )


def test_remover_on_the_labelled_lines():
    """The hand-labelled lines (eval/boilerplate): no article line lost, most furniture removed."""
    from pipeline.lib.cleaning_eval import evaluate_cleaning
    from pipeline.lib.settings import PROJECT_ROOT, Settings

    folders = {"sample": PROJECT_ROOT / "data" / "sample", "own": PROJECT_ROOT / "eval" / "own" / "docs"}
    report = evaluate_cleaning(PROJECT_ROOT / "eval" / "boilerplate" / "labels.jsonl", folders, Settings())
    assert set(report.by_corpus) == {"sample", "own"}
    assert report.lost_lines == []
    assert report.overall.recall >= 0.9


def test_line_that_repeats_a_long_passage_is_scraped_residue():
    teaser = "Trotz des schwindenden Einflusses in der Region bleibt die Regierung bei ihrer Linie und liefert keine Systeme."
    glued = f"jetzt fragen{teaser}{teaser[:80]}"
    result = remove_boilerplate(f"{glued}\n{BODY}")
    assert result.removed == [("self_repeating", glued)]
    # A paragraph that repeats a short phrase is article text.
    quote = "„Wir werden liefern“, sagte er. Und noch einmal: „Wir werden liefern“, wenn die Lage es erlaubt, fügte er an."
    assert remove_boilerplate(quote).removed == []
