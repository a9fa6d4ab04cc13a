"""The release report: one self-contained HTML page of charts an analyst can open offline.

Aggregates the published tables with Polars and hands plain values to ``report_charts``; no
JavaScript, no external assets, and the same tables give the same bytes (everything is sorted
with explicit tie-breaks, and nothing depends on the clock).
"""

from __future__ import annotations

import polars as pl

from pipeline.lib.columns import Frames
from pipeline.lib.publish.report_charts import (
    ActorActivity,
    Dyad,
    QualityRow,
    Timeline,
    actors_chart,
    network_chart,
    quality_chart,
    timeline_chart,
)
from pipeline.lib.publish.svg import count, esc
from pipeline.lib.schema import PLOVER_TYPES, PUBLISHED_TABLES, TABLES_BY_NAME

TOP_ACTORS = 15
MAX_MONTHS = 96  # a longer span is drawn per year, or the bars get too thin to see

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:1.5em 2em;"
    "max-width:60em;color:#333;background:#fff}"
    "h1{margin-bottom:.2em}h2{margin:1.6em 0 .2em}.meta{color:#555;margin:.2em 0}"
    ".cards{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}"
    ".card{border:1px solid #ddd;border-radius:6px;padding:.4em .9em;min-width:7em}"
    ".card b{display:block;font-size:1.4em}.card span{color:#666;font-size:.85em}"
    "figure{margin:0 0 1em}figcaption,.how{color:#555;font-size:.9em;margin:.3em 0}"
    "svg{max-width:100%;height:auto;font-size:12px}svg text{fill:#333}"
    "svg .tick,svg .legend{font-size:11px}svg .axis{font-size:12px;font-weight:600}"
    "svg .value{font-size:11px;fill:#555}svg .bad{fill:#c62828;font-weight:600}"
    "svg .empty{font-size:15px;fill:#777}svg .node-label{font-size:12px;font-weight:600}"
    "svg .bar:hover,svg .edge:hover,svg .node:hover{opacity:.75}"
    "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;"
    "text-align:right;font-size:.9em}td:first-child,th:first-child{text-align:left}"
    "nav a{margin-right:1em}"
)

_HOW = {
    "events-per-month": (
        "Each bar is one period; its coloured segments are the event types (PLOVER) coded for it. "
        "Negated events and events without a date (or dated only to a year, when bars are months) are left out."
    ),
    "dyad-network": (
        "Each line joins two countries or organisations that have events together, either way round; a "
        "thicker line means more events, its colour is the most frequent type. Larger dots take part in more "
        "events; the most connected sit at the top, then clockwise. Hover for the numbers."
    ),
    "top-actors": (
        "The actors that appear most often in events, as the one acting (dark) or acted upon (light). "
        "Events coded only to a country count for that country."
    ),
    "quality": (
        "Each bar is one published table's validation suite: green checks passed, amber failed as "
        "warnings (published, but look), red failed blocking checks (would stop a release)."
    ),
}
_TITLES = {
    "events-per-month": "Events over time",
    "dyad-network": "Who has events with whom",
    "top-actors": "Most active actors",
    "quality": "Data quality",
}


def _table(tables: Frames, name: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """The columns of a table, null-filled when a frame lacks them, empty when the table is absent.

    Only these columns are read from a lazy frame (the release's Parquet files)."""
    schema = TABLES_BY_NAME[name].polars_schema
    frame = tables.get(name)
    if frame is None:
        return pl.DataFrame(schema={c: schema[c] for c in columns})
    present = frame.collect_schema().names()
    return (
        frame.lazy()
        .select(pl.col(c) if c in present else pl.lit(None, dtype=schema[c]).alias(c) for c in columns)
        .collect()
    )


def _rows(tables: Frames, name: str) -> int:
    frame = tables.get(name)
    return 0 if frame is None else frame.lazy().select(pl.len()).collect().item()


def _active_events(tables: Frames) -> pl.DataFrame:
    columns = (
        "event_type",
        "event_date",
        "date_precision",
        "negated",
        "language",
        "source_actor_id",
        "source_country",
        "target_actor_id",
        "target_country",
    )
    events = _table(tables, "events", columns).filter(~pl.col("negated").fill_null(False))
    return events.with_columns(pl.col("event_type").fill_null("UNKNOWN"))


def _type_order(events: pl.DataFrame) -> list[str]:
    present = set(events["event_type"].drop_nulls().unique().to_list())
    return [t for t in PLOVER_TYPES if t in present] + sorted(present - set(PLOVER_TYPES))


def _timeline(events: pl.DataFrame) -> tuple[Timeline, str]:
    dated = events.filter(pl.col("event_date").is_not_null())
    undated = events.height - dated.height
    precise = dated.filter(pl.col("date_precision").fill_null("day") != "year")
    types = _type_order(events)
    if dated.is_empty():
        note = f"{count(undated)} undated events are not shown." if undated else ""
        return Timeline("month", [], types, {}), note
    first, last = precise["event_date"].min(), precise["event_date"].max()
    if first is not None and (last.year - first.year) * 12 + last.month - first.month < MAX_MONTHS:
        # Bars per month; events known only to the year have no month and are counted in the note.
        unit, fmt, shown = "month", "%Y-%m", precise
        start = first.year * 12 + first.month - 1
        periods = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, last.year * 12 + last.month)]
    else:
        unit, fmt, shown = "year", "%Y", dated
        first, last = dated["event_date"].min(), dated["event_date"].max()
        periods = [f"{year:04d}" for year in range(first.year, last.year + 1)]
    grouped = shown.group_by(pl.col("event_date").dt.strftime(fmt).alias("period"), "event_type").len()
    counts = {(p, t): n for p, t, n in grouped.sort("period", "event_type").iter_rows()}
    skipped = [f"{count(undated)} undated"]
    if shown.height < dated.height:
        skipped.append(f"{count(dated.height - shown.height)} dated only to a year")
    note = f"{count(shown.height)} dated events shown; {' and '.join(skipped)} not shown."
    return Timeline(unit, periods, types, counts), note


def _code_names(actors: pl.DataFrame) -> dict[str, str]:
    rows = actors.filter(pl.col("kind").is_in(["STATE", "ORG"]) & pl.col("code").is_not_null())
    rows = rows.sort("code", "actor_id").unique("code", keep="first", maintain_order=True)
    return dict(rows.select("code", "name").iter_rows())


def _dyads(events: pl.DataFrame, types: list[str]) -> list[Dyad]:
    src, tgt = pl.col("source_country"), pl.col("target_country")
    pairs = events.filter(src.is_not_null() & tgt.is_not_null() & (src != tgt)).select(
        pl.when(src < tgt).then(src).otherwise(tgt).alias("a"),
        pl.when(src < tgt).then(tgt).otherwise(src).alias("b"),
        "event_type",
    )
    grouped = pairs.group_by("a", "b", "event_type").len().sort("a", "b", "event_type")
    rank = {t: i for i, t in enumerate(types)}
    found: dict[tuple[str, str], dict[str, int]] = {}
    for a, b, event_type, n in grouped.iter_rows():
        found.setdefault((a, b), {})[event_type] = n
    return [
        Dyad(a, b, dict(sorted(by_type.items(), key=lambda item: rank.get(item[0], len(rank)))))
        for (a, b), by_type in sorted(found.items())
    ]


def _top_actors(events: pl.DataFrame, tables: Frames) -> list[ActorActivity]:
    actors = _table(tables, "actors", ("actor_id", "name", "kind", "code"))
    mentions = _table(tables, "mentions", ("actor_id", "text"))
    # An event coded only to a country counts for that country's actor, or for the bare code.
    code_actor = (
        actors.filter(pl.col("kind").is_in(["STATE", "ORG"]) & pl.col("code").is_not_null())
        .group_by("code")
        .agg(pl.col("actor_id").min().alias("code_actor"))
    )

    def role(prefix: str) -> pl.DataFrame:
        keyed = events.select(
            pl.col(f"{prefix}_actor_id").alias("actor_id"), pl.col(f"{prefix}_country").alias("code")
        ).join(code_actor, on="code", how="left")
        key = pl.coalesce("actor_id", "code_actor", "code").alias("key")
        return keyed.select(key).drop_nulls().group_by("key").len(name=prefix)

    activity = (
        role("source")
        .join(role("target"), on="key", how="full", coalesce=True)
        .fill_null(0)
        .with_columns((pl.col("source") + pl.col("target")).alias("total"))
        .sort(["total", "key"], descending=[True, False])
        .head(TOP_ACTORS)
    )
    # Name: the dictionary's canonical name, else the commonest mention text, else the id or code.
    names = dict(
        mentions.drop_nulls()
        .group_by("actor_id", "text")
        .len()
        .sort(["actor_id", "len", "text"], descending=[False, True, False])
        .unique("actor_id", keep="first", maintain_order=True)
        .select("actor_id", "text")
        .iter_rows()
    )
    names.update(actors.filter(pl.col("name").is_not_null()).select("actor_id", "name").iter_rows())
    return [
        ActorActivity(key, names.get(key) or key, source, target)
        for key, source, target, _ in activity.iter_rows()
    ]


def _quality_rows(quality: dict[str, dict]) -> list[QualityRow]:
    order = [t.name for t in PUBLISHED_TABLES if t.name in quality] + sorted(
        t for t in quality if t not in TABLES_BY_NAME
    )
    rows = []
    for table in order:
        outcome = quality[table] or {}
        results = outcome.get("results") or []
        rows.append(
            QualityRow(
                table=table,
                rows=int(outcome.get("row_count") or 0),
                evaluated=int(outcome.get("evaluated", len(results)) or 0),
                failed_blocking=int(outcome.get("failed_critical") or 0),
                failed_warning=int(outcome.get("failed_warning") or 0),
            )
        )
    return rows


def _quality_table(rows: list[QualityRow]) -> str:
    if not rows:
        return ""
    head = "<tr><th>table</th><th>rows</th><th>checks</th><th>passed</th><th>blocking failed</th><th>warnings</th></tr>"
    body = "".join(
        f"<tr><td>{esc(r.table)}</td><td>{count(r.rows)}</td><td>{r.evaluated}</td><td>{r.passed}</td>"
        f"<td>{r.failed_blocking}</td><td>{r.failed_warning}</td></tr>"
        for r in rows
    )
    return f"<table>{head}{body}</table><p class='how'>Details: <a href='quality/index.html'>quality/index.html</a></p>"


def _languages(frame: pl.DataFrame) -> str:
    counted = (
        frame.drop_nulls("language")
        .group_by("language")
        .len()
        .sort(["len", "language"], descending=[True, False])
    )
    return " · ".join(f"{esc(lang)} {count(n)}" for lang, n in counted.iter_rows()) or "none"


def _header(version: str, tables: Frames, events: pl.DataFrame) -> str:
    cards = "".join(
        f"<div class='card'><b>{count(_rows(tables, t.name))}</b><span>{t.name}</span></div>"
        for t in PUBLISHED_TABLES
    )
    documents = _table(tables, "documents", ("published_date", "language"))
    facts = []
    for label, dates in (
        ("Events dated", events["event_date"]),
        ("Documents published", documents["published_date"]),
    ):
        dates = dates.drop_nulls()
        span = f"{dates.min().isoformat()} to {dates.max().isoformat()}" if len(dates) else "no dates"
        facts.append(f"{label}: {span}")
    negated = _table(tables, "events", ("negated",))["negated"].fill_null(False).sum()
    facts.append(f"{count(negated)} negated events, shown in no chart")
    nav = "".join(f"<a href='#{name}'>{esc(title)}</a>" for name, title in _TITLES.items())
    return (
        f"<h1>Alliance events: release {esc(version)}</h1>"
        f"<div class='cards'>{cards}</div>"
        f"<p class='meta'>{esc(' · '.join(facts))}</p>"
        f"<p class='meta'>Languages of documents: {_languages(documents)}</p>"
        f"<p class='meta'>Languages of events: {_languages(events)}</p>"
        f"<nav>{nav}</nav>"
    )


def _figure(name: str, svg: str, note: str = "", extra: str = "") -> str:
    caption = f"<figcaption>{esc(note)}</figcaption>" if note else ""
    return (
        f"<figure id='{name}' data-chart='{name}'><h2>{esc(_TITLES[name])}</h2>"
        f"<p class='how'>How to read this: {esc(_HOW[name])}</p>{svg}{caption}{extra}</figure>"
    )


def report_html(version: str, tables: Frames, quality: dict[str, dict]) -> str:
    """The release report as one self-contained HTML page (inline SVG, no scripts, no links out)."""
    events = _active_events(tables)
    timeline, timeline_note = _timeline(events)
    network, network_note = network_chart(
        _dyads(events, timeline.types),
        _code_names(_table(tables, "actors", ("actor_id", "name", "kind", "code"))),
        timeline.types,
    )
    quality_rows = _quality_rows(quality)
    body = [
        _header(version, tables, events),
        _figure("events-per-month", timeline_chart(timeline), timeline_note),
        _figure("dyad-network", network, network_note),
        _figure("top-actors", actors_chart(_top_actors(events, tables))),
        _figure("quality", quality_chart(quality_rows), extra=_quality_table(quality_rows)),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Alliance events {esc(version)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
