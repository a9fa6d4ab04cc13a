"""Tests for the actor dictionary data files and loader (pipeline/lib/actors/dictionary.py)."""

from __future__ import annotations

import importlib.util
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from pipeline.lib.actors.dictionary import (
    DEFAULT_DIRECTORY,
    ActorDictionary,
    load_actor_dictionary,
)

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="module")
def actors() -> ActorDictionary:
    return load_actor_dictionary()


def test_loads_with_all_kinds(actors: ActorDictionary) -> None:
    kinds = {a.kind for a in actors.actors}
    assert kinds == {"STATE", "PERSON", "ORG"}
    assert len(actors.of_kind("STATE")) >= 240
    assert len(actors.of_kind("PERSON")) >= 150
    assert len(actors.of_kind("ORG")) >= 50


def test_ids_and_codes_unique(actors: ActorDictionary) -> None:
    ids = [a.actor_id for a in actors.actors]
    assert len(ids) == len(set(ids))
    codes = [a.code for a in actors.actors if a.code]
    assert len(codes) == len(set(codes))


def test_every_iso_state_present(actors: ActorDictionary) -> None:
    codes = {a.code for a in actors.of_kind("STATE")}
    for code in ("RUS", "BLR", "UKR", "PRK", "KOR", "CHN", "IRN", "USA", "DEU", "XKX", "TWN"):
        assert code in codes
    if (REFERENCE / "countries-mledoze" / "countries.json").exists():
        import json

        data = json.loads((REFERENCE / "countries-mledoze" / "countries.json").read_text("utf-8"))
        expected = {c["cca3"] for c in data} - {"UNK"} | {"XKX"}
        assert expected <= codes


def test_state_shape(actors: ActorDictionary) -> None:
    russia = actors.by_code("RUS")
    assert russia is not None and russia.actor_id == "Q159" and russia.country == "RUS"
    assert actors.by_id("Q159") is russia
    assert actors.by_code("NOPE") is None
    with pytest.raises(KeyError):
        actors.by_id("ae:state/NOPE")


def test_tricky_surface_forms(actors: ActorDictionary) -> None:
    blr, prk, usa = (actors.by_code(c) for c in ("BLR", "PRK", "USA"))
    assert blr and prk and usa
    assert "Weißrussland" in blr.names["de"]
    assert "Белоруссия" in blr.names["ru"]
    assert {"belarussisch", "weißrussisch"} <= set(blr.adjectives["de"])
    assert "белорусский" in blr.adjectives["ru"]
    assert "nordkoreanisch" in prk.adjectives["de"]
    assert "Pjöngjang" in prk.metonyms["de"]
    assert "КНДР" in prk.names["ru"]
    assert "Weißes Haus" in usa.metonyms["de"]
    assert {"USA", "Vereinigte Staaten"} <= set(usa.names["de"])
    assert "Kreml" in actors.by_code("RUS").metonyms["de"]  # type: ignore[union-attr]
    kim = actors.by_id("Q56226")
    assert "Ким Чен Ын" in kim.names["ru"] and "Kim" not in kim.names["en"]
    assert "ЦТАК" in actors.by_code("KCNA").names["ru"]  # type: ignore[union-attr]
    assert "ОДКБ" in actors.by_code("CSTO").names["ru"]  # type: ignore[union-attr]


def test_no_form_shared_between_states(actors: ActorDictionary) -> None:
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for state in actors.of_kind("STATE"):
        for field in (state.names, state.adjectives, state.demonyms, state.metonyms):
            for lang, forms in field.items():
                for form in forms:
                    holders[(lang, form)].add(state.actor_id)
    shared = {k: v for k, v in holders.items() if len(v) > 1}
    assert not shared


def test_shoigu_roles_over_time(actors: ActorDictionary) -> None:
    shoigu = actors.by_id("ae:person/sergei-shoigu")
    assert shoigu.country_on(date(2024, 1, 1)) == "RUS"
    assert shoigu.role_on(date(2024, 1, 1)).title == "Minister of Defence"  # type: ignore[union-attr]
    assert shoigu.role_on(date(2024, 5, 12)).title == "Secretary of the Security Council"  # type: ignore[union-attr]
    assert shoigu.role_on(date(2025, 6, 1)).title == "Secretary of the Security Council"  # type: ignore[union-attr]
    assert shoigu.role_on(None) is None and shoigu.country_on(None) == "RUS"


def test_org_role_has_no_country(actors: ActorDictionary) -> None:
    stoltenberg = actors.by_id("ae:person/jens-stoltenberg")
    role = stoltenberg.role_on(date(2020, 1, 1))
    assert role is not None and role.org == "NATO"
    assert stoltenberg.country_on(date(2020, 1, 1)) is None
    assert stoltenberg.country_on(date(2010, 1, 1)) == "NOR"
    assert stoltenberg.country_on(date(1990, 1, 1)) == "NOR"  # no role: default affiliation


def test_load_is_cached() -> None:
    first = load_actor_dictionary()
    start = time.perf_counter()
    second = load_actor_dictionary(DEFAULT_DIRECTORY)
    assert second is first
    assert time.perf_counter() - start < 0.01


STATE_OK = """
- actor_id: ae:state/AAA
  kind: STATE
  name: Aland
  code: AAA
  country: AAA
  names: {en: [Aland]}
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_id_error_names_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", STATE_OK)
    second = _write(tmp_path, "b.yaml", STATE_OK)
    with pytest.raises(ValueError, match=r"b\.yaml.*ae:state/AAA.*duplicate"):
        load_actor_dictionary(tmp_path)
    assert str(second) in _error(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (STATE_OK.replace("kind: STATE", "kind: NATION"), "kind"),
        (STATE_OK.replace("country: AAA", "country: BBB"), "must equal code"),
        (STATE_OK.replace("{en: [Aland]}", "{english: [Aland]}"), "language key"),
        (STATE_OK.replace("{en: [Aland]}", "{en: ['  ']}"), "empty"),
        (
            STATE_OK + "- {actor_id: p, kind: PERSON, name: P, country: AAA, names: {en: [P]},"
            " roles: [{title: X, start: 2020-01-02, end: 2020-01-01}]}\n",
            "starts 2020-01-02 after",
        ),
        (STATE_OK + "- {actor_id: p, kind: PERSON, name: P, names: {en: [P]}}\n", "country or roles"),
        (STATE_OK + "- {actor_id: o, kind: ORG, name: O, parent: nope, names: {en: [O]}}\n", "parent"),
    ],
)
def test_malformed_file_raises_clear_error(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path, "broken.yaml", text)
    error = _error(tmp_path)
    assert "broken.yaml" in error and message in error


def _error(directory: Path) -> str:
    with pytest.raises(ValueError) as info:
        load_actor_dictionary(directory)
    return str(info.value)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data not available")
def test_states_yaml_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_actor_dictionary", REPO / "scripts" / "build_actor_dictionary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text, warnings = module.build(REFERENCE)
    assert not warnings
    assert text == (DEFAULT_DIRECTORY / "states.yaml").read_text("utf-8")
