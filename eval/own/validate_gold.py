#!/usr/bin/env python3
"""Validate eval/own/gold.jsonl against eval/own/docs (format checks only)."""

import collections
import json
import pathlib
import re
import sys

from pipeline.lib.schema import PLOVER_TYPES

HERE = pathlib.Path(__file__).resolve().parent
DOCS = HERE / "docs"
TYPES = set(PLOVER_TYPES)
ORGS = {"NATO", "CSTO", "EU", "UN", "UNIONSTATE", "SCO", "BRICS", "AUKUS", "OSCE", "IAEA", "EAEU", "CIS"}
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
A3 = re.compile(r"^[A-Z]{3}$")
errors = []
inflected = []


def err(msg):
    errors.append(msg)


def code_ok(c):
    return isinstance(c, str) and (A3.fullmatch(c) is not None or c in ORGS)


seen = set()
per_lang = collections.Counter()
per_type = collections.Counter()
for n, line in enumerate((HERE / "gold.jsonl").read_text(encoding="utf-8").splitlines(), 1):
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        err(f"line {n}: invalid JSON: {e}")
        continue
    doc = rec.get("doc")
    if doc in seen:
        err(f"{doc}: duplicate record")
    seen.add(doc)
    path = DOCS / doc
    if not path.is_file():
        err(f"{doc}: file missing")
        continue
    text = path.read_text(encoding="utf-8")
    if rec.get("lang") not in {"de", "en", "ru", "mixed"}:
        err(f"{doc}: bad lang {rec.get('lang')!r}")
    per_lang[rec.get("lang")] += 1
    pub = rec.get("published")
    if pub is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub):
        err(f"{doc}: bad published {pub!r}")
    meta = path.with_suffix(".meta.json")
    if meta.exists():
        m = json.loads(meta.read_text(encoding="utf-8"))
        if set(m) != {"outlet", "published"}:
            err(f"{meta.name}: unexpected keys {sorted(m)}")
        if m.get("published") != pub:
            err(f"{doc}: published {pub} != sidecar {m.get('published')}")
    if rec.get("duplicate_of") is not None:
        err(f"{doc}: duplicate_of should be null")
    names = set()
    for a in rec.get("actors", []):
        if set(a) != {"name", "kind", "country", "wikidata"}:
            err(f"{doc}: actor keys {sorted(a)}")
        if a.get("kind") not in {"PERSON", "STATE", "ORG"}:
            err(f"{doc}: actor kind {a.get('kind')!r}")
        if a.get("country") is not None and not A3.fullmatch(a["country"]):
            err(f"{doc}: actor country {a.get('country')!r}")
        if a.get("kind") == "STATE" and a.get("country") is None:
            err(f"{doc}: state without country: {a['name']}")
        if a.get("wikidata") is not None and not re.fullmatch(r"Q\d+", a["wikidata"]):
            err(f"{doc}: bad wikidata {a.get('wikidata')!r}")
        if a["name"] in names:
            err(f"{doc}: actor listed twice: {a['name']}")
        names.add(a["name"])
        if a["name"] not in text:
            # names are canonical (nominative/base) forms, the text may inflect or use an adjective/metonym
            inflected.append(f"{doc}: {a['name']}")
    for i, e in enumerate(rec.get("events", [])):
        where = f"{doc} event {i}"
        if set(e) != {"type", "source", "target", "date", "evidence", "note"}:
            err(f"{where}: keys {sorted(e)}")
        if e.get("type") not in TYPES:
            err(f"{where}: bad type {e.get('type')!r}")
        per_type[e.get("type")] += 1
        for k in ("source", "target"):
            if not code_ok(e.get(k)):
                err(f"{where}: bad {k} {e.get(k)!r}")
        if e.get("source") == e.get("target"):
            err(f"{where}: source == target")
        d = e.get("date")
        if d is not None and not DATE.fullmatch(d):
            err(f"{where}: bad date {d!r}")
        if pub and d and d > pub:
            err(f"{where}: date {d} after published {pub}")
        if not e.get("evidence") or e["evidence"] not in text:
            err(f"{where}: evidence not a substring of the doc: {e.get('evidence')!r}")

docs_on_disk = {p.name for p in DOCS.glob("*.txt")}
for missing in sorted(docs_on_disk - seen):
    err(f"{missing}: no gold record")

print("records:", len(seen), "| per language:", dict(per_lang))
print("events:", sum(per_type.values()), "| per type:", dict(sorted(per_type.items())))
print(
    f"info: {len(inflected)} actor names occur in the text only inflected/adjectival/metonymic (not an error)"
)
if errors:
    print(f"{len(errors)} error(s):")
    for m in errors:
        print("  " + m)
    sys.exit(1)
print("OK")
