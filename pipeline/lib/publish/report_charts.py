"""The four charts of the release report, drawn as inline SVG from already aggregated data.

Each function takes plain Python values (aggregated by ``report.py``) and returns one ``<svg>``;
every drawn mark carries a ``<title>`` so hovering shows the exact numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.lib.publish.svg import (
    INK,
    count,
    empty_chart,
    esc,
    legend,
    line,
    nice_ticks,
    num,
    rect,
    shorten,
    svg_open,
    text,
    type_colour,
)

WIDTH = 900
MAX_NODES = 36
SOURCE_COLOUR, TARGET_COLOUR = "#2a6f97", "#9cc5e0"
PASSED_COLOUR, WARNING_COLOUR, BLOCKING_COLOUR = "#2e7d32", "#e0a100", "#c62828"


@dataclass(frozen=True)
class Timeline:
    """Event counts per period (month or year) and PLOVER type."""

    unit: str  # "month" or "year"
    periods: list[str]
    types: list[str]
    counts: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Dyad:
    """An unordered pair of countries/organisations with its events per type."""

    a: str
    b: str
    by_type: dict[str, int]

    @property
    def events(self) -> int:
        return sum(self.by_type.values())

    @property
    def dominant(self) -> str:
        # Most events first; ties go to the type named first (the caller orders by PLOVER).
        return max(self.by_type, key=lambda t: (self.by_type[t], -list(self.by_type).index(t)))


@dataclass(frozen=True)
class ActorActivity:
    """How often one actor appears as source and as target."""

    key: str
    name: str
    as_source: int
    as_target: int


@dataclass(frozen=True)
class QualityRow:
    """The validation summary of one table."""

    table: str
    rows: int
    evaluated: int
    failed_blocking: int
    failed_warning: int

    @property
    def passed(self) -> int:
        return max(self.evaluated - self.failed_blocking - self.failed_warning, 0)


def _y_axis(ticks: list[int], left: float, right: float, top: float, height: float, label: str) -> str:
    parts = []
    for tick in ticks:
        y = top + height - height * tick / ticks[-1]
        parts.append(line(left, y, right, y))
        parts.append(text(left - 6, y + 4, count(tick), anchor="end", css="tick"))
    middle = top + height / 2
    parts.append(
        text(
            14, middle, label, anchor="middle", css="axis", extra=f' transform="rotate(-90 14 {num(middle)})"'
        )
    )
    return "".join(parts)


def _x_axis(ticks: list[int], left: float, width: float, y: float, label: str) -> str:
    parts = [line(left, y, left + width, y, INK, "axis-line")]
    for tick in ticks:
        x = left + width * tick / ticks[-1]
        parts.append(line(x, y, x, y + 4, INK, "tick-mark"))
        parts.append(text(x, y + 16, count(tick), anchor="middle", css="tick"))
    parts.append(text(left + width / 2, y + 34, label, anchor="middle", css="axis"))
    return "".join(parts)


def timeline_chart(timeline: Timeline) -> str:
    """Stacked bars: events per period, one segment per PLOVER type, with a legend."""
    name, title = "events-per-month", f"Events per {timeline.unit}, by PLOVER type"
    if not timeline.counts:
        return empty_chart(name, WIDTH, 160, title, "No dated events to chart")
    left, right = 60, WIDTH - 16
    plot_w = right - left
    drawn = [t for t in timeline.types if any((p, t) in timeline.counts for p in timeline.periods)]
    items = [(t, type_colour(t)) for t in drawn]
    legend_svg, legend_h = legend(items, left, 8, plot_w)
    top, plot_h = 8 + legend_h + 22, 280
    totals = [sum(timeline.counts.get((p, t), 0) for t in timeline.types) for p in timeline.periods]
    ticks = nice_ticks(max(totals))
    parts = [svg_open(name, WIDTH, top + plot_h + 56, title), legend_svg]
    parts.append(_y_axis(ticks, left, right, top, plot_h, "Events"))
    band = plot_w / len(timeline.periods)
    bar_w = min(max(band * 0.78, 1.0), 56.0)  # a few wide periods should not look like a wall
    every = max(1, math.ceil(len(timeline.periods) * 56 / plot_w))
    scale = plot_h / ticks[-1]
    for i, period in enumerate(timeline.periods):
        x = left + i * band + (band - bar_w) / 2
        y = top + plot_h
        for event_type in timeline.types:
            n = timeline.counts.get((period, event_type), 0)
            if n:
                y -= n * scale
                tip = f"{period} · {event_type}: {count(n)} event{'s' if n != 1 else ''}"
                parts.append(rect(x, y, bar_w, n * scale, type_colour(event_type), tip))
        if totals[i] and len(timeline.periods) <= 36:
            parts.append(text(x + bar_w / 2, y - 4, count(totals[i]), anchor="middle", css="value"))
        if i % every == 0:
            parts.append(
                text(left + (i + 0.5) * band, top + plot_h + 16, period, anchor="middle", css="tick")
            )
    axis_y = top + plot_h
    parts.append(line(left, axis_y, right, axis_y, INK, "axis-line"))
    parts.append(
        text(left + plot_w / 2, axis_y + 44, timeline.unit.capitalize(), anchor="middle", css="axis")
    )
    parts.append("</svg>")
    return "".join(parts)


def network_chart(dyads: list[Dyad], names: dict[str, str], types: list[str]) -> tuple[str, str]:
    """Nodes on a circle (most connected first, clockwise from the top), one edge per dyad.

    Returns the SVG and a note on what was left out.
    """
    name, title = "dyad-network", "Network of dyads: who has events with whom"
    if not dyads:
        return empty_chart(name, WIDTH, 160, title, "No dyads: no event names both a source and a target"), ""
    degree: dict[str, int] = {}
    weight: dict[str, int] = {}
    for dyad in dyads:
        for node in (dyad.a, dyad.b):
            degree[node] = degree.get(node, 0) + 1
            weight[node] = weight.get(node, 0) + dyad.events
    by_weight = sorted(weight, key=lambda n: (-weight[n], n))
    kept = set(by_weight[:MAX_NODES])
    nodes = sorted(kept, key=lambda n: (-degree[n], -weight[n], n))
    shown = [d for d in dyads if d.a in kept and d.b in kept]
    dominant = [t for t in types if any(d.dominant == t for d in shown)]
    legend_svg, legend_h = legend([(t, type_colour(t)) for t in dominant], 16, 8, WIDTH - 32)
    radius = 230
    cx, cy = WIDTH / 2, 8 + legend_h + 60 + radius
    height = int(cy + radius + 60)
    position = {}
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(nodes)
        position[node] = (math.cos(angle), math.sin(angle))
    parts = [svg_open(name, WIDTH, height, title), legend_svg]
    heaviest = max(d.events for d in shown)
    for dyad in sorted(shown, key=lambda d: (d.events, d.a, d.b)):  # thick edges drawn last, on top
        (ax, ay), (bx, by) = position[dyad.a], position[dyad.b]
        share = math.sqrt(dyad.events / heaviest)  # faint thin lines for rare pairs, so hubs stand out
        breakdown = ", ".join(f"{t} {count(n)}" for t, n in dyad.by_type.items())
        tip = f"{dyad.a} – {dyad.b}: {count(dyad.events)} events ({breakdown})"
        parts.append(
            f'<line class="edge" x1="{num(cx + radius * ax)}" y1="{num(cy + radius * ay)}" '
            f'x2="{num(cx + radius * bx)}" y2="{num(cy + radius * by)}" stroke="{type_colour(dyad.dominant)}" '
            f'stroke-width="{num(1 + 9 * share)}" stroke-opacity="{num(0.35 + 0.55 * share)}" '
            f'stroke-linecap="round"><title>{esc(tip)}</title></line>'
        )
    most = max(weight[n] for n in nodes)
    for node in nodes:
        ux, uy = position[node]
        r = 5 + 9 * math.sqrt(weight[node] / most)
        label = names.get(node) or node
        tip = f"{node} — {label}: {count(weight[node])} events with {degree[node]} partner(s)"
        parts.append(
            f'<circle class="node" fill="#455a64" stroke="#ffffff" cx="{num(cx + radius * ux)}" cy="{num(cy + radius * uy)}" r="{num(r)}">'
            f"<title>{esc(tip)}</title></circle>"
        )
        anchor = "start" if ux > 0.2 else "end" if ux < -0.2 else "middle"
        lx, ly = cx + (radius + r + 6) * ux, cy + (radius + r + 6) * uy + 4 + 6 * uy
        parts.append(text(lx, ly, node, anchor=anchor, css="node-label"))
    parts.append("</svg>")
    left_out = len(weight) - len(nodes)
    note = (
        f"{left_out} less active countries/organisations and {len(dyads) - len(shown)} of their dyads are not drawn."
        if left_out
        else ""
    )
    return "".join(parts), note


def actors_chart(actors: list[ActorActivity]) -> str:
    """Horizontal bars, one per actor: events as source, then as target."""
    name, title = "top-actors", "Most active actors"
    if not actors:
        return empty_chart(name, WIDTH, 160, title, "No events with actors to chart")
    left, right = 250, WIDTH - 60
    legend_svg, legend_h = legend([("as source", SOURCE_COLOUR), ("as target", TARGET_COLOUR)], left, 8, 400)
    top, row = 8 + legend_h + 12, 24
    ticks = nice_ticks(max(a.as_source + a.as_target for a in actors))
    scale = (right - left) / ticks[-1]
    height = top + row * len(actors)
    parts = [svg_open(name, WIDTH, height + 48, title), legend_svg]
    for tick in ticks:
        x = left + tick * scale
        parts.append(line(x, top, x, height))
    for i, actor in enumerate(actors):
        y = top + i * row + 4
        label = f"{actor.name} ({actor.key})" if actor.name != actor.key else actor.key
        parts.append(f'<g class="actor-bar" data-actor="{esc(actor.key)}">')
        parts.append(text(left - 8, y + 12, shorten(label, 36), anchor="end", css="label"))
        total = actor.as_source + actor.as_target
        tip = f"{label}: {count(total)} events, {count(actor.as_source)} as source, {count(actor.as_target)} as target"
        x = left
        for n, colour in ((actor.as_source, SOURCE_COLOUR), (actor.as_target, TARGET_COLOUR)):
            if n:
                parts.append(rect(x, y, n * scale, row - 8, colour, tip))
                x += n * scale
        parts.append(text(x + 5, y + 12, count(total), css="value"))
        parts.append("</g>")
    parts.append(_x_axis(ticks, left, right - left, height, "Events as source or target"))
    parts.append("</svg>")
    return "".join(parts)


def quality_chart(rows: list[QualityRow]) -> str:
    """One stacked bar per table: checks passed, failed as warnings, failed blocking."""
    name, title = "quality", "Validation checks per table"
    if not rows:
        return empty_chart(name, WIDTH, 120, title, "No validation results in this release")
    left, right = 130, WIDTH - 240
    items = [
        ("passed", PASSED_COLOUR),
        ("warning failed", WARNING_COLOUR),
        ("blocking failed", BLOCKING_COLOUR),
    ]
    legend_svg, legend_h = legend(items, left, 8, right - left)
    top, row = 8 + legend_h + 12, 28
    ticks = nice_ticks(max(max(r.evaluated for r in rows), 1))
    scale = (right - left) / ticks[-1]
    height = top + row * len(rows)
    parts = [svg_open(name, WIDTH, height + 48, title), legend_svg]
    for i, q in enumerate(rows):
        y = top + i * row + 5
        parts.append(text(left - 8, y + 13, q.table, anchor="end", css="label"))
        x = left
        for n, colour, what in (
            (q.passed, PASSED_COLOUR, "passed"),
            (q.failed_warning, WARNING_COLOUR, "failed (warning)"),
            (q.failed_blocking, BLOCKING_COLOUR, "failed (blocking)"),
        ):
            if n:
                parts.append(
                    rect(x, y, n * scale, row - 10, colour, f"{q.table}: {n} of {q.evaluated} checks {what}")
                )
                x += n * scale
        verdict = "BLOCKED" if q.failed_blocking else "ok"
        summary = f"{count(q.rows)} rows · {q.passed}/{q.evaluated} passed · {verdict}"
        parts.append(text(right + 8, y + 13, summary, css="value" if not q.failed_blocking else "value bad"))
    parts.append(_x_axis(ticks, left, right - left, height, "Checks (expectations)"))
    parts.append(line(left, top, left, height, INK, "axis-line"))
    parts.append("</svg>")
    return "".join(parts)
