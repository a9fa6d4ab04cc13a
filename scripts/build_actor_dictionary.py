"""Generate pipeline/data/actors/states.yaml from reference data plus the curated overlay.

Inputs (read-only):
  * <reference>/country-names/{de,en,ru}.json      CLDR common names by ISO alpha-2 (MIT)
  * <reference>/countries-mledoze/countries.json   codes, names, translations, capitals,
                                                   demonyms (ODbL 1.0)
  * pipeline/data/actors/curated/*.yaml            hand-written overlay keyed by ISO alpha-3

The output is sorted by ISO alpha-3 and written byte-for-byte deterministically, so running the
script twice yields the identical file. Use ``--check`` in CI to fail when the file is stale.

Usage:  python scripts/build_actor_dictionary.py [--reference DIR] [--output FILE] [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
ACTORS_DIR = REPO / "pipeline" / "data" / "actors"
LANGS = ("de", "en", "ru")
FIELDS = ("names", "adjectives", "demonyms", "metonyms")

# mledoze uses the UN travel-document code for Kosovo; XKX is the user-assigned code used by the
# EU and World Bank and is a valid-looking alpha-3, so the lead's pattern code can rely on it.
CCA3_FIX = {"UNK": "XKX"}

# English words that mark an altSpelling as an English long form ("Republic of ...") rather
# than a native-language name ("Shqipëria") that would never occur in English news.
EN_KEYWORDS = {
    "Republic",
    "Kingdom",
    "Commonwealth",
    "State",
    "States",
    "Federation",
    "Principality",
    "Duchy",
    "Union",
    "Confederation",
    "Sultanate",
    "Emirates",
    "Islands",
    "Territory",
}
RU_LETTERS = re.compile(r"^[А-Яа-яЁё\- ]+$")
SPACED_LETTERS = re.compile(r"(?:\b\w ){3,}")  # "Н е в и с": broken data in one translation
RU_ABBREV = {"о-ва": "острова", "о-в": "остров"}
HEADER = """\
# GENERATED FILE - DO NOT EDIT BY HAND.
# Built by scripts/build_actor_dictionary.py from
#   * umpirsky/country-list (CLDR country names de/en/ru), MIT licence
#   * mledoze/countries (codes, names, translations, capitals, demonyms), ODbL 1.0:
#     this file contains data derived from mledoze/countries and is shared under ODbL 1.0
#   * pipeline/data/actors/curated/*.yaml (project overlay: adjectives, demonyms, former
#     names, abbreviations, capitals in de/ru, Wikidata ids)
# To change an entry edit the overlay and re-run the script (see pipeline/data/actors/README.md).
"""


def _add(bucket: list[str], *forms: str | None) -> None:
    """Append cleaned, non-empty forms that are not yet in ``bucket`` (keeps first-seen order)."""
    for form in forms:
        if not form:
            continue
        form = " ".join(form.replace("\u00a0", " ").split()).strip(" ,;")
        form = re.sub(r"(\w) -(\w)", r"\1-\2", form)  # "Кабо -Верде" in mledoze's Russian
        if not form or SPACED_LETTERS.search(form) or form in bucket:
            continue
        bucket.append(form)
        if "\u2019" in form:  # CLDR writes "Côte d’Ivoire"; news text mostly uses ASCII quotes
            _add(bucket, form.replace("\u2019", "'"))


def clean_cldr(name: str, lang: str) -> list[str]:
    """Turn a CLDR display name into the surface forms found in running text."""
    name = name.replace(" - ", "-")  # "Congo - Kinshasa" -> "Congo-Kinshasa"
    for short, full in RU_ABBREV.items():
        name = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, name)
    name = name.replace(" SAR China", "")  # "Hong Kong SAR China" is not a surface form
    name = re.sub(r"\s*\([^)]*\)", "", name)  # drop qualifiers: "(САР)", "(Burma)" (overlay adds)
    forms = [name]
    if "&" in name:
        forms.append(name.replace("&", "and" if lang == "en" else "und" if lang == "de" else "и"))
    return forms


def clean_mledoze(name: str | None) -> str | None:
    """Drop translated names whose parenthetical is an abbreviation ("Kongo (Dem. Rep.)")."""
    if not name:
        return None
    if re.search(r"\([^)]*\.[^)]*\)", name):
        return None
    return re.sub(r"\s*\([^)]*\)", "", name)


def english_alt_spellings(alts: list[str]) -> list[str]:
    """Keep altSpellings that are English long forms, not codes or native-language names."""
    keep = []
    for alt in alts:
        # Inverted ("Korea, Republic of") and non-Latin-1 native forms are never English text.
        if "," in alt or "(" in alt or re.search(r"[^\x00-\xff]", alt):
            continue
        if set(alt.replace("'", " ").split()) & EN_KEYWORDS:
            keep.append(alt)
    return keep


def build_base(country: dict[str, Any], cldr: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Build one state record from the reference data alone."""
    iso3 = CCA3_FIX.get(country["cca3"], country["cca3"])
    iso2 = country["cca2"]
    forms: dict[str, dict[str, list[str]]] = {f: {lang: [] for lang in LANGS} for f in FIELDS}
    names = forms["names"]
    tr = country.get("translations", {})
    _add(names["en"], country["name"]["common"], clean_mledoze(country["name"]["official"]))
    for lang, key in (("de", "deu"), ("ru", "rus")):
        for variant in ("common", "official"):
            form = clean_mledoze(tr.get(key, {}).get(variant))
            # Machine-translated Russian long forms sometimes keep English words ("Sahrawi").
            if form and not (lang == "ru" and re.search("[A-Za-z]", form)):
                _add(names[lang], form)
    native_ru = country["name"].get("native", {}).get("rus", {})
    _add(names["ru"], native_ru.get("common"), native_ru.get("official"))
    for lang in LANGS:
        if iso2 in cldr[lang]:
            _add(names[lang], *clean_cldr(cldr[lang][iso2], lang))
    _add(names["en"], *english_alt_spellings(country.get("altSpellings", [])))
    if "rus" in country.get("languages", {}):
        _add(names["ru"], *[a for a in country.get("altSpellings", []) if RU_LETTERS.match(a)])
    demonym = country.get("demonyms", {}).get("eng", {})
    for gender in ("m", "f"):
        for form in (demonym.get(gender) or "").split(","):
            _add(forms["adjectives"]["en"], form)
            _add(forms["demonyms"]["en"], form)
    if country.get("independent"):
        # Territory capitals ("The Valley", "Hamilton") are useless or harmful as metonyms.
        _add(forms["metonyms"]["en"], *country.get("capital", []))
    return {
        "iso3": iso3,
        "name": country["name"]["common"],
        "independent": bool(country.get("independent")),
        "wikidata_id": None,
        **forms,
    }


def apply_overlay(record: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Merge one curated overlay entry: add forms, drop bad generated forms, set scalars."""
    for key in ("name", "wikidata_id"):
        if key in overlay:
            record[key] = overlay[key]
    for field in FIELDS:
        for lang, extra in (overlay.get(field) or {}).items():
            record[field].setdefault(lang, [])
            _add(record[field][lang], *extra)
    for field, per_lang in (overlay.get("drop") or {}).items():
        for lang, bad in per_lang.items():
            record[field][lang] = [f for f in record[field].get(lang, []) if f not in set(bad)]


def resolve_ambiguity(records: list[dict[str, Any]]) -> list[str]:
    """Remove forms shared by several states; return warnings for clashes left unresolved.

    A form held by an independent state is dropped from dependent territories ("French" stays
    with France, not the French Southern Lands); a form held only by territories is dropped from
    all of them; a clash between independent states must be settled in the overlay.
    """
    holders: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        for field in FIELDS:
            for lang, forms in rec[field].items():
                for form in forms:
                    holders[(field, lang, form)].append(rec)
    warnings = []
    for (field, lang, form), recs in sorted(holders.items()):
        if len(recs) < 2:
            continue
        independent = [r for r in recs if r["independent"]]
        for rec in recs:
            if not rec["independent"]:
                rec[field][lang].remove(form)
        if len(independent) > 1:
            codes = ", ".join(r["iso3"] for r in independent)
            warnings.append(f"{field}.{lang} {form!r} shared by {codes}")
    return warnings


def to_actor(record: dict[str, Any]) -> dict[str, Any]:
    """Shape a merged record as an actor for the YAML file (field order as in the model)."""
    iso3 = record["iso3"]
    actor: dict[str, Any] = {
        "actor_id": record["wikidata_id"] or f"ae:state/{iso3}",
        "kind": "STATE",
        "name": record["name"],
        "code": iso3,
        "country": iso3,
        "wikidata_id": record["wikidata_id"],
    }
    for field in FIELDS:
        per_lang = {lang: forms for lang, forms in sorted(record[field].items()) if forms}
        if per_lang:
            actor[field] = per_lang
    return actor


def build(reference: Path) -> tuple[str, list[str]]:
    """Return the YAML text for states.yaml and a list of warnings."""
    cldr = {
        lang: json.loads((reference / "country-names" / f"{lang}.json").read_text("utf-8")) for lang in LANGS
    }
    countries = json.loads((reference / "countries-mledoze" / "countries.json").read_text("utf-8"))
    overlay: dict[str, Any] = {}
    for path in sorted((ACTORS_DIR / "curated").glob("*.yaml")):
        for iso3, entry in (yaml.safe_load(path.read_text("utf-8")) or {}).items():
            merged = overlay.setdefault(iso3, {})
            for key, value in (entry or {}).items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
    records = {}
    for country in countries:
        rec = build_base(country, cldr)
        records[rec["iso3"]] = rec
    unknown = sorted(set(overlay) - set(records))
    if unknown:
        raise SystemExit(f"overlay keys without a reference state: {unknown}")
    for iso3, rec in records.items():
        apply_overlay(rec, overlay.get(iso3, {}))
    ordered = [records[k] for k in sorted(records)]
    warnings = resolve_ambiguity(ordered)
    actors = [to_actor(r) for r in ordered]
    # A wide line limit keeps every surface form on one line ("Vereinigten Staaten von Amerika").
    body = yaml.safe_dump(actors, allow_unicode=True, sort_keys=False, default_flow_style=None, width=4096)
    return HEADER + "\n" + body, warnings


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference")
    parser.add_argument("--output", type=Path, default=ACTORS_DIR / "states.yaml")
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    text, warnings = build(args.reference)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.check:
        current = args.output.read_text("utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale; re-run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count('- actor_id:')} states)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
