"""Small helpers that write inline SVG as strings, for the offline release report.

Plain strings rather than a plotting library: the report must render with no network and no
JavaScript, and the same data must give the same bytes, which hand-written SVG guarantees.
"""

from __future__ import annotations

import html

# One fixed colour per PLOVER type, so a type looks the same in every chart of every release:
# cooperative types in blues and greens, conflictual ones in reds and oranges.
TYPE_COLOURS = {
    "AGREE": "#1f5fa8",
    "CONSULT": "#5fa8d3",
    "SUPPORT": "#2a9d8f",
    "COOPERATE": "#2e7d32",
    "AID": "#8bc34a",
    "MOBILIZE": "#7b5ea7",
    "THREATEN": "#e76f51",
    "ACCUSE": "#f4a261",
    "REJECT": "#c9a227",
    "REQUEST": "#8d99ae",
    "SANCTION": "#b5179e",
    "COERCE": "#9d0208",
    "ASSAULT": "#d62828",
    "PROTEST": "#f28482",
    "CONCEDE": "#6d597a",
    "RETREAT": "#a68a64",
}
OTHER_COLOUR = "#9e9e9e"
INK = "#333333"
GRID = "#e3e3e3"


def esc(value: object) -> str:
    """Text escaped for HTML and SVG, attributes included."""
    return html.escape(str(value), quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal, written the same way on every machine."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def count(value: int) -> str:
    """An integer with thousands separators."""
    return f"{value:,}"


def type_colour(event_type: str | None) -> str:
    """The colour of a PLOVER type (grey for anything else)."""
    return TYPE_COLOURS.get(event_type or "", OTHER_COLOUR)


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """Round axis ticks from 0 to at least ``maximum``, at most ``most`` steps."""
    if maximum <= 0:
        return [0, 1]
    step = 1
    while True:
        for factor in (1, 2, 5):
            if maximum <= step * factor * most:
                step *= factor
                top = -(-maximum // step) * step
                return list(range(0, top + 1, step))
        step *= 10


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (before escaping)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def svg_open(name: str, width: int, height: int, title: str) -> str:
    """The opening tag of a chart's SVG, with its accessible title."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{name}-title">'
        f'<title id="{name}-title">{esc(title)}</title>'
    )


def text(x: float, y: float, content: str, anchor: str = "start", css: str = "", extra: str = "") -> str:
    """One escaped SVG text element."""
    cls = f' class="{css}"' if css else ""
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{cls}{extra}>{esc(content)}</text>'


def rect(x: float, y: float, width: float, height: float, fill: str, tip: str, css: str = "bar") -> str:
    """A filled rectangle with a hover tooltip."""
    return (
        f'<rect class="{css}" x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}" '
        f'fill="{fill}"><title>{esc(tip)}</title></rect>'
    )


def line(x1: float, y1: float, x2: float, y2: float, colour: str = GRID, css: str = "grid") -> str:
    """A one-pixel line (grid or axis) with no tooltip."""
    return (
        f'<line class="{css}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{colour}"/>'
    )


def legend(items: list[tuple[str, str]], x: float, y: float, width: float) -> tuple[str, float]:
    """Colour swatches with labels, wrapped into rows; returns the SVG and the height used."""
    parts = []
    left, top = x, y
    for label, colour in items:
        span = 18 + 7.2 * len(label) + 14
        if left > x and left + span > x + width:
            left, top = x, top + 18
        parts.append(
            f'<rect class="swatch" x="{num(left)}" y="{num(top)}" width="12" height="12" fill="{colour}">'
            f"<title>{esc(label)}</title></rect>"
        )
        parts.append(text(left + 17, top + 10.5, label, css="legend"))
        left += span
    return "".join(parts), (top - y + 18 if items else 0)


def empty_chart(name: str, width: int, height: int, title: str, message: str) -> str:
    """A framed chart that says why there is nothing to draw."""
    return (
        svg_open(name, width, height, title)
        + f'<rect class="frame" x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fafafa" '
        f'stroke="{GRID}"/>' + text(width / 2, height / 2, message, anchor="middle", css="empty") + "</svg>"
    )
