"""The published tables: columns, types, descriptions, keys and constraints (the dataset contract).

This module is the one source of truth for the contract in DATASET.md (how a column or a table is
described is in ``columns.py``): the publish stage casts tables to these types, the datapackage
descriptor and the analyst README are generated from it, the blocking quality checks are
generated from its constraints (``lib/quality/contract.py``), and tests check every published
table against it.
"""

from __future__ import annotations

import polars as pl

from pipeline.lib.columns import Column, Table

REMOVED_LINE_STRUCT = pl.Struct({"line": pl.Int32, "reason": pl.String, "text": pl.String})
ROLE_STRUCT = pl.Struct({"title": pl.String, "country": pl.String, "start": pl.Date, "end": pl.Date})

PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "COOPERATE",
    "AID",
    "MOBILIZE",
    "THREATEN",
    "ACCUSE",
    "REJECT",
    "REQUEST",
    "SANCTION",
    "COERCE",
    "ASSAULT",
    "PROTEST",
    "CONCEDE",
    "RETREAT",
)
EVENT_STATUSES = ("occurred", "announced", "planned")
DATE_PRECISIONS = ("day", "month", "year")
ACTOR_KINDS = ("STATE", "PERSON", "ORG")
MENTION_LABELS = ACTOR_KINDS  # a mention is labelled with the kind of actor it names
QUARANTINE_REASONS = (
    "binary",
    "empty",
    "undecodable",
    "too_large",
    "malformed_json",
    "no_text",
    "unsupported_type",
    "unreadable",
    "orphan_metadata",
    "malformed_metadata",
    "no_article_text",
)
# ISO alpha-3 for states, short codes for organisations (NATO, G7, EU_COMMISSION ...).
ACTOR_CODE_PATTERN = "[A-Z][A-Z0-9_]{1,15}"
SENTENCE_LANGUAGE_PATTERN = "[a-z]{2}"  # ISO 639-1

DOCUMENTS = Table(
    name="documents",
    description="One row per ingested input document, duplicates included.",
    primary_key=("doc_id",),
    columns=(
        Column(
            "doc_id",
            pl.String,
            "Stable id: SHA-256 prefix of the source path and the normalised text (same input, same id).",
            True,
        ),
        Column(
            "source_path",
            pl.String,
            "Path relative to the input folder; 'file.jsonl#N' for JSONL line N.",
            True,
            unique=True,
        ),
        Column("source_url", pl.String, "URL the crawler recorded, if any."),
        Column("outlet", pl.String, "Publishing outlet, from metadata or the page."),
        Column("title", pl.String, "Headline, from metadata, the HTML page or the first text line."),
        Column(
            "published_date",
            pl.Date,
            "Publication date from metadata or a date line in the text; null when unknown (never the ingest date).",
        ),
        Column(
            "language",
            pl.String,
            "ISO 639-1 code of the document, or 'mixed' when sentences differ.",
            True,
            pattern="([a-z]{2}|mixed|und)",  # 'und': no sentence had letters to judge
        ),
        Column("char_count", pl.Int64, "Characters in the cleaned text.", True, minimum=1),
        Column("text", pl.String, "Cleaned article body; all offsets in other tables point into it.", True),
        Column(
            "content_sha256",
            pl.String,
            "SHA-256 of the raw input bytes (of the JSONL line for JSONL inputs).",
            True,
        ),
        Column(
            "duplicate_of",
            pl.String,
            "doc_id of the canonical document when this one is an exact or near copy, else null.",
        ),
        Column(
            "duplicate_similarity",
            pl.Float64,
            "Estimated Jaccard similarity (word 5-grams, MinHash) to the canonical document; 1.0 for exact copies, null when canonical.",
            minimum=0,
            maximum=1,
        ),
        Column("encoding", pl.String, "Character encoding the raw bytes were decoded from.", True),
        Column(
            "removed_line_count",
            pl.Int64,
            "Lines dropped as boilerplate (see removed_lines).",
            True,
            minimum=0,
        ),
        Column(
            "removed_lines",
            pl.List(REMOVED_LINE_STRUCT),
            "Audit of the cleaner: every dropped line with its number in the raw text (1-based, blank lines counted), the reason and the line itself.",
        ),
        Column("ingested_at", pl.Datetime("us", "UTC"), "When the input was read.", True),
    ),
)

QUARANTINE = Table(
    name="quarantine",
    description="Every input that could not be ingested as a document, and why. Nothing is dropped silently.",
    primary_key=("source_path",),
    columns=(
        Column(
            "source_path",
            pl.String,
            "Path relative to the input folder ('file.jsonl#N' for a JSONL line).",
            True,
        ),
        Column(
            "reason",
            pl.String,
            "Machine-readable reason (binary, empty, undecodable, too_large, malformed_json, no_text, unsupported_type, unreadable, no_article_text).",
            True,
            values=QUARANTINE_REASONS,
        ),
        Column("detail", pl.String, "Human-readable explanation."),
        Column("content_sha256", pl.String, "SHA-256 of the raw bytes, when they could be read."),
        Column("seen_at", pl.Datetime("us", "UTC"), "When the input was examined.", True),
    ),
)

ACTORS = Table(
    name="actors",
    description="The actor dictionary as used by this release.",
    primary_key=("actor_id",),
    columns=(
        Column("actor_id", pl.String, "Stable id: Wikidata QID where known, else an 'ae:' slug.", True),
        Column("name", pl.String, "Canonical English name.", True),
        Column("kind", pl.String, "STATE, PERSON or ORG.", True, values=ACTOR_KINDS),
        Column(
            "code",
            pl.String,
            "ISO 3166-1 alpha-3 for states, short code for organisations (NATO, CSTO, EU ...).",
            pattern=ACTOR_CODE_PATTERN,
        ),
        Column(
            "country",
            pl.String,
            "ISO alpha-3 the actor belongs to; null for intergovernmental organisations.",
            pattern="[A-Z]{3}",
        ),
        Column("wikidata_id", pl.String, "Wikidata QID, when known.", pattern="Q[0-9]+"),
        Column(
            "parent_actor_id", pl.String, "For sub-actors (armed forces, agencies): the state they belong to."
        ),
        Column("sector", pl.String, "Sub-actor sector (GOV, MIL, MEDIA ...)."),
        Column("aliases", pl.List(pl.String), "Names the dictionary matches, all languages."),
        Column(
            "roles",
            pl.List(ROLE_STRUCT),
            "Date-bounded offices: title, country, start, end (null = ongoing).",
        ),
    ),
)

MENTIONS = Table(
    name="mentions",
    description="Every recognised entity mention, resolved to an actor where the dictionary knows it.",
    primary_key=("mention_id",),
    foreign_keys=(("doc_id", "documents", "doc_id"), ("actor_id", "actors", "actor_id")),
    columns=(
        Column("mention_id", pl.String, "Stable id: hash of doc_id and offsets.", True),
        Column("doc_id", pl.String, "Document of the mention.", True),
        Column("sentence_index", pl.Int64, "0-based sentence number within the document.", True, minimum=0),
        Column("char_start", pl.Int64, "Start offset into documents.text (0-based).", True, minimum=0),
        Column("char_end", pl.Int64, "End offset into documents.text (exclusive).", True),
        Column("text", pl.String, "The mention as written.", True),
        Column("label", pl.String, "STATE, PERSON or ORG.", True, values=MENTION_LABELS),
        Column("actor_id", pl.String, "Resolved actor, null when unresolved.", values="actor_ids"),
        Column(
            "country",
            pl.String,
            "State the mention is coded to on the document's date; for an unresolved person, the state named with the office (null when none).",
            values="actor_codes",
            pattern=ACTOR_CODE_PATTERN,
        ),
        Column(
            "role",
            pl.String,
            "Office of a person: for a known person the role held on the document's date ('Minister of Defence'), for an unresolved one the office phrase before the name ('Wirtschaftsminister'); else null.",
        ),
        Column("language", pl.String, "Language of the sentence.", True, pattern=SENTENCE_LANGUAGE_PATTERN),
    ),
)

EVENTS = Table(
    name="events",
    description="One row per coded event, traceable to its sentence.",
    primary_key=("event_id",),
    foreign_keys=(
        ("doc_id", "documents", "doc_id"),
        ("source_actor_id", "actors", "actor_id"),
        ("target_actor_id", "actors", "actor_id"),
    ),
    columns=(
        Column("event_id", pl.String, "Stable id: the same input gives the same ids.", True),
        Column("doc_id", pl.String, "Document the event was coded from.", True),
        Column("sentence_index", pl.Int64, "0-based sentence number within the document.", True, minimum=0),
        Column("char_start", pl.Int64, "Start of the evidence in documents.text.", True, minimum=0),
        Column("char_end", pl.Int64, "End of the evidence in documents.text (exclusive).", True),
        Column("evidence", pl.String, "The sentence: documents.text[char_start:char_end].", True),
        Column("language", pl.String, "Language of the sentence.", True, pattern=SENTENCE_LANGUAGE_PATTERN),
        Column("event_type", pl.String, "PLOVER event type.", True, values=PLOVER_TYPES),
        Column(
            "event_mode",
            pl.String,
            "PLOVER mode, when the type defines one and the text says it.",
            values="event_modes",
        ),
        Column(
            "cameo_code",
            pl.String,
            "CAMEO code, for joining with GDELT-style data.",
            True,
            pattern="[0-9]{2,4}",
        ),
        Column("trigger", pl.String, "The word(s) that triggered the event."),
        Column("source_actor_id", pl.String, "Acting actor.", values="actor_ids"),
        Column(
            "source_country",
            pl.String,
            "Country (or organisation code) of the source.",
            True,
            values="actor_codes",
            pattern=ACTOR_CODE_PATTERN,
        ),
        Column("target_actor_id", pl.String, "Actor acted upon.", values="actor_ids"),
        Column(
            "target_country",
            pl.String,
            "Country (or organisation code) of the target.",
            True,
            values="actor_codes",
            pattern=ACTOR_CODE_PATTERN,
        ),
        Column(
            "event_date",
            pl.Date,
            "When the event happened, as precise as the text says (first day of the month/year otherwise).",
        ),
        Column("date_precision", pl.String, "day, month or year; null when no date.", values=DATE_PRECISIONS),
        Column("date_text", pl.String, "The date expression as written."),
        Column("status", pl.String, "occurred, announced or planned.", True, values=EVENT_STATUSES),
        Column("negated", pl.Boolean, "True when the text says the event did not / will not happen.", True),
        Column("location_name", pl.String, "Where the event happened, when the sentence says."),
        # No bounds: Frictionless reads a null float of Parquet as NaN, which fails any bound.
        Column("latitude", pl.Float64, "Latitude of the location (offline gazetteer)."),
        Column("longitude", pl.Float64, "Longitude of the location."),
        Column(
            "confidence", pl.Float64, "0..1, how sure the coder is (see README).", True, minimum=0, maximum=1
        ),
        Column("story_id", pl.String, "Same real-world happening across documents.", True),
        Column("num_sources", pl.Int64, "Distinct canonical documents reporting the story.", True, minimum=1),
        Column(
            "doc_mentions",
            pl.Int64,
            "Sentences of this document that report the same happening (same story, status and polarity); the row keeps the most confident one.",
            True,
            minimum=1,
        ),
    ),
)

PUBLISHED_TABLES: tuple[Table, ...] = (DOCUMENTS, QUARANTINE, ACTORS, MENTIONS, EVENTS)
TABLES_BY_NAME = {table.name: table for table in PUBLISHED_TABLES}
