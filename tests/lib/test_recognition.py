"""Actor recognition in running text: inflected and transliterated forms in de, en and ru."""

import pytest

from pipeline.lib.nlp.pipelines import load_pipeline

RUS, BLR, PRK, UKR = "Q159", "Q184", "Q423", "Q212"
LUKASHENKO, SHOIGU, KIM = "ae:person/alexander-lukashenko", "ae:person/sergei-shoigu", "Q56226"


def _actor_ids(language: str, text: str) -> list[str]:
    doc = load_pipeline(language)(text)
    return [span.id_ for span in doc.spans["actors"]]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Die Truppen Russlands und Weißrusslands übten.", [RUS, BLR]),
        ("de", "Der Kreml und Pjöngjangs Führung einigten sich.", [RUS, PRK]),
        (
            "de",
            "Nordkoreanische Soldaten kämpfen an der Seite der russischen Armee.",
            [PRK, "ae:org/rus-armed-forces"],
        ),
        ("de", "Lukaschenkos Regierung und Kim Dschong Un schwiegen.", [LUKASHENKO, KIM]),
        ("de", "Schoigu reiste nach Kiew.", [SHOIGU, UKR]),
        ("en", "Belarusian troops and Pyongyang's envoy met Lukashenka.", [BLR, PRK, LUKASHENKO]),
        ("en", "Kim Jong-un hosted Shoigu in the North Korean capital.", [KIM, SHOIGU, PRK]),
        ("ru", "Белорусской стороне передали письмо из Пхеньяна.", [BLR, PRK]),
        ("ru", "Лукашенко встретился с Шойгу и Ким Чен Ыном.", [LUKASHENKO, SHOIGU, KIM]),
        ("ru", "Российских военных направили в Белоруссию.", [RUS, BLR]),
        ("ru", "КНДР и Украины касается это заявление.", [PRK, UKR]),
        ("de", "US-Präsident und Kreml-Sprecher über OVKS-Truppen.", ["Q30", RUS, "ae:org/csto"]),
        ("de", "Finnisch-russische Gespräche über den Ukraine-Krieg.", ["Q33", RUS, UKR]),
    ],
)
def test_inflected_and_transliterated_forms(language, text, expected):
    assert _actor_ids(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Turkey dinner for us all."),
        ("en", "We told us about it."),
        ("de", "Die Türkei-Reise fiel aus, china-Restaurant."),
    ],
)
def test_common_words_are_not_actors(language, text):
    ids = _actor_ids(language, text)
    assert "Q30" not in ids  # "us" the pronoun is never the United States


def test_hyphen_compounds_without_actors_stay_whole():
    doc = load_pipeline("de")("Das E-Mail-Postfach und die Leopard-Panzer.")
    assert [token.text for token in doc] == ["Das", "E-Mail-Postfach", "und", "die", "Leopard-Panzer", "."]
