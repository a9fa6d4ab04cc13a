"""Clause splitting from punctuation and clause openers (pipeline/lib/events/clauses.py)."""

import pytest

from pipeline.lib.events.clauses import (
    ADVERBIAL,
    COMPLEMENT,
    COORDINATE,
    INFINITIVE,
    MAIN,
    PARENTHETICAL,
    RELATIVE,
    Clause,
    ClauseCues,
    split_clauses,
)
from pipeline.lib.events.lexicon import load_event_lexicon

LEXICON = load_event_lexicon()
LEMMAS = {"которую": "который"}  # the pipeline's norms are lemmas


def cues(language: str) -> ClauseCues:
    """The clause cues of the real cue file of ``language``."""
    return LEXICON.cues[language].clause_cues()


def split(
    language: str, text: str, norms: list[str] | None = None, list_commas: frozenset[int] = frozenset()
) -> tuple[list[str], list[int], list[Clause]]:
    """(tokens, clause index per token, clauses) of a whitespace-tokenised sentence.

    The norms are the lowercased tokens unless given (Russian needs lemmas such as "который").
    """
    texts = text.split()
    norms = norms if norms is not None else [token.lower() for token in texts]
    assert len(norms) == len(texts)
    of_token, clauses = split_clauses(texts, norms, cues(language), list_commas)
    assert len(of_token) == len(texts)
    return texts, of_token, clauses


def clause_of(texts: list[str], of_token: list[int], clauses: list[Clause], word: str) -> Clause:
    """The clause of the first token spelt ``word``."""
    return clauses[of_token[texts.index(word)]]


def words_of(texts: list[str], of_token: list[int], clause: int) -> list[str]:
    """The words of one clause, without punctuation."""
    return [
        text
        for text, c in zip(texts, of_token, strict=True)
        if c == clause and text not in {",", ".", ";", ":"}
    ]


def test_cues_come_from_the_cue_files() -> None:
    de = cues("de")
    assert {"der", "denen"} <= de.relative
    assert "dass" in de.complement and "als" in de.adverbial
    assert de.infinitive_particle == "zu" and "um" in de.infinitive_openers
    assert "which" in cues("en").relative and "that" in cues("en").complement
    assert "который" in cues("ru").relative and "что" in cues("ru").complement
    assert cues("en").infinitive_particle is None


def test_no_comma_is_one_main_clause() -> None:
    _, of_token, clauses = split("de", "Russland lieferte Waffen an Belarus .")
    assert clauses == [Clause(0, MAIN, None)]
    assert set(of_token) == {0}


def test_relative_clause_interrupts_and_main_clause_goes_on() -> None:
    texts, of_token, clauses = split(
        "de", "Lukaschenko , der Belarus regiert , erlaubte Moskau die Stationierung von Waffen ."
    )
    relative = clause_of(texts, of_token, clauses, "Belarus")
    assert relative.kind == RELATIVE and relative.parent == 0
    assert words_of(texts, of_token, relative.index) == ["der", "Belarus", "regiert"]
    main = clause_of(texts, of_token, clauses, "erlaubte")
    assert main == clause_of(texts, of_token, clauses, "Lukaschenko") == Clause(0, MAIN, None)
    assert words_of(texts, of_token, 0) == [
        "Lukaschenko",
        "erlaubte",
        "Moskau",
        "die",
        "Stationierung",
        "von",
        "Waffen",
    ]


@pytest.mark.parametrize(
    ("language", "text", "norms", "inside", "after"),
    [
        (
            "en",
            "Lukashenko , who rules Belarus , allowed Moscow to station weapons .",
            None,
            "rules",
            "allowed",
        ),
        (
            "ru",
            "Лукашенко , который правит Белоруссией , разрешил Москве разместить оружие .",
            None,
            "правит",
            "разрешил",
        ),
        (
            "ru",
            "Договор , который подписали Россия и КНДР , вступил в силу .",
            [
                "договор",
                ",",
                "который",
                "подписать",
                "россия",
                "и",
                "кндр",
                ",",
                "вступить",
                "в",
                "сила",
                ".",
            ],
            "подписали",
            "вступил",
        ),
    ],
)
def test_relative_clause_in_english_and_russian(
    language: str, text: str, norms: list[str] | None, inside: str, after: str
) -> None:
    texts, of_token, clauses = split(language, text, norms)
    relative = clause_of(texts, of_token, clauses, inside)
    assert relative.kind == RELATIVE and relative.parent == 0
    assert clause_of(texts, of_token, clauses, texts[0]).index == 0
    assert clause_of(texts, of_token, clauses, after).index == 0  # the interrupted clause goes on


@pytest.mark.parametrize(
    ("language", "text", "inside"),
    [
        ("de", "Peskow sagte , dass Russland Truppen nach Belarus schicke .", "Truppen"),
        ("en", "Moscow insisted on Friday , that it sent no troops to Belarus .", "troops"),
        ("ru", "Песков заявил , что Россия направит войска в Белоруссию .", "войска"),
    ],
)
def test_complement_clause(language: str, text: str, inside: str) -> None:
    texts, of_token, clauses = split(language, text)
    complement = clause_of(texts, of_token, clauses, inside)
    assert complement.kind == COMPLEMENT and complement.parent == 0
    assert clause_of(texts, of_token, clauses, texts[0]).index == 0
    assert of_token[texts.index(",")] == complement.index  # the comma opens the clause
    assert of_token[texts.index(",") + 1 :] == [complement.index] * (len(texts) - texts.index(",") - 1)


def test_german_infinitive_clause_ending_in_zu_verb() -> None:
    texts, of_token, clauses = split(
        "de", "Lukaschenko erlaubte Moskau , Atomwaffen in Belarus zu stationieren ."
    )
    infinitive = clause_of(texts, of_token, clauses, "Atomwaffen")
    assert infinitive.kind == INFINITIVE and infinitive.parent == 0
    assert words_of(texts, of_token, infinitive.index) == [
        "Atomwaffen",
        "in",
        "Belarus",
        "zu",
        "stationieren",
    ]
    assert words_of(texts, of_token, 0) == ["Lukaschenko", "erlaubte", "Moskau"]


def test_article_before_zu_verb_is_no_relative_pronoun() -> None:
    texts, of_token, clauses = split("de", "Berlin weigerte sich , der Ukraine Raketen zu liefern .")
    assert clause_of(texts, of_token, clauses, "Ukraine").kind == INFINITIVE


def test_german_infinitive_clause_opened_by_um() -> None:
    texts, of_token, clauses = split(
        "de",
        "Russland schickte Soldaten nach Kasachstan , um die Regierung zu stützen , und zog sie dann ab .",
    )
    infinitive = clause_of(texts, of_token, clauses, "um")
    assert infinitive.kind == INFINITIVE and infinitive.parent == 0
    assert words_of(texts, of_token, infinitive.index) == ["um", "die", "Regierung", "zu", "stützen"]
    # ", und zog sie dann ab": a clause of its own that borrows the subject of clause 0.
    coordinate = clause_of(texts, of_token, clauses, "zog")
    assert coordinate.kind == COORDINATE and coordinate.parent == 0


def test_um_opens_an_infinitive_without_zu_at_the_end() -> None:
    texts, of_token, clauses = split("de", "Putin reiste nach Minsk , um Gespräche mit Lukaschenko .")
    assert clause_of(texts, of_token, clauses, "Gespräche").kind == INFINITIVE


@pytest.mark.parametrize(
    ("language", "text", "inside"),
    [
        ("de", "Die Staaten , mit denen Russland Verträge schloss , schwiegen .", "Verträge"),
        ("en", "The treaty , under which Russia stations troops , expired .", "stations"),
        ("ru", "Белоруссия , в которую Россия ввела войска , молчит .", "ввела"),
    ],
)
def test_preposition_before_relative_pronoun(language: str, text: str, inside: str) -> None:
    norms = [LEMMAS.get(token, token.lower()) for token in text.split()]
    texts, of_token, clauses = split(language, text, norms)
    relative = clause_of(texts, of_token, clauses, inside)
    assert relative.kind == RELATIVE and relative.parent == 0
    assert of_token[-2] == 0  # the verb after the relative clause is main again


def test_preposition_before_an_ordinary_word_opens_nothing() -> None:
    assert split("de", "Russland verhandelte , mit Belarus , über Waffen .")[2] == [Clause(0, MAIN, None)]


def test_unknown_word_after_comma_opens_nothing() -> None:
    assert split("en", "Russia attacked Ukraine , Belarus watched .")[2] == [Clause(0, MAIN, None)]


@pytest.mark.parametrize("boundary", [";", ":", "—", "("])
def test_hard_boundary_starts_a_new_main_clause(boundary: str) -> None:
    texts, of_token, clauses = split("en", f"Russia attacked Ukraine {boundary} Belarus sent troops .")
    assert [clause.kind for clause in clauses] == [MAIN, MAIN]
    assert clauses[1].parent is None
    assert of_token[texts.index("Ukraine")] == 0
    assert of_token[texts.index(boundary)] == 1
    assert of_token[texts.index("Belarus")] == 1


def test_semicolon_and_colon_each_start_a_main_clause() -> None:
    texts, of_token, clauses = split(
        "de", "Peskow sagte : Russland hilft Belarus ; Minsk dankte , dass Moskau half ."
    )
    assert [(c.kind, c.parent) for c in clauses] == [
        (MAIN, None),
        (MAIN, None),
        (MAIN, None),
        (COMPLEMENT, 2),
    ]
    assert words_of(texts, of_token, 1) == ["Russland", "hilft", "Belarus"]
    assert words_of(texts, of_token, 2) == ["Minsk", "dankte"]


@pytest.mark.parametrize(
    ("language", "text", "first", "main_word"),
    [
        ("de", "Als Russland die Ukraine angriff , bat Kiew den Westen um Waffen .", "angriff", "bat"),
        ("en", "When Russia attacked Ukraine , Kyiv asked the West for weapons .", "attacked", "asked"),
        ("ru", "Когда Россия напала на Украину , Киев попросил Запад об оружии .", "напала", "попросил"),
    ],
)
def test_leading_adverbial_clause_depends_on_the_main_clause(
    language: str, text: str, first: str, main_word: str
) -> None:
    texts, of_token, clauses = split(language, text)
    leading = clause_of(texts, of_token, clauses, first)
    main = clause_of(texts, of_token, clauses, main_word)
    assert leading.kind == ADVERBIAL and main.kind == MAIN
    assert leading.parent == main.index
    assert clause_of(texts, of_token, clauses, texts[0]) == leading


def test_leading_clause_after_a_semicolon_depends_on_the_new_main_clause() -> None:
    texts, of_token, clauses = split("de", "Kiew schwieg ; als Russland angriff , bat Kiew um Waffen .")
    leading = clause_of(texts, of_token, clauses, "angriff")
    assert leading.kind == ADVERBIAL
    assert leading.parent == clause_of(texts, of_token, clauses, "bat").index == 1


def test_leading_opener_without_comma_is_not_a_clause() -> None:
    assert split("de", "Als Verbündeter lieferte Russland Waffen .")[2] == [Clause(0, MAIN, None)]


def test_list_commas_are_not_boundaries() -> None:
    text = "Soldaten aus Russland , der Ukraine und Armenien trafen in Kasachstan ein ."
    texts, of_token, clauses = split("de", text)
    # Without the list the "der" after the comma reads as a relative pronoun ...
    assert clause_of(texts, of_token, clauses, "Ukraine").kind == RELATIVE
    # ... with the comma marked as a list comma the sentence is one clause.
    texts, of_token, clauses = split("de", text, list_commas=frozenset({texts.index(",")}))
    assert clauses == [Clause(0, MAIN, None)]
    assert set(of_token) == {0}


def test_list_commas_only_skip_the_commas_given() -> None:
    text = "Russland , Belarus und Armenien , die verbündet sind , übten ."
    first, second, _ = [i for i, token in enumerate(text.split()) if token == ","]
    texts, of_token, clauses = split("de", text, list_commas=frozenset({first}))
    relative = clause_of(texts, of_token, clauses, "verbündet")
    assert relative.kind == RELATIVE
    assert of_token[second] == relative.index
    assert of_token[texts.index("Belarus")] == of_token[texts.index("übten")] == 0


def test_brackets_hold_an_aside_and_the_clause_goes_on() -> None:
    texts, of_token, clauses = split("de", "Die OVKS ( Moskau ) zog ihre Truppen ab .")
    aside = clause_of(texts, of_token, clauses, "Moskau")
    assert aside.kind == PARENTHETICAL and aside.parent == 0
    assert clause_of(texts, of_token, clauses, "zog").index == 0
