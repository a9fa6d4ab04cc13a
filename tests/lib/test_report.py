"""The release report: deterministic, escaped, complete for empty tables, and drawn by a browser."""

import re
import subprocess
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from pipeline.lib.publish.report import report_html
from pipeline.lib.schema import PUBLISHED_TABLES

CHARTS = ("events-per-month", "dyad-network", "top-actors", "quality")
CHROMIUM = "/usr/bin/chromium"

EVENT_SCHEMA = {
    "event_id": pl.String,
    "event_type": pl.String,
    "source_actor_id": pl.String,
    "source_country": pl.String,
    "target_actor_id": pl.String,
    "target_country": pl.String,
    "event_date": pl.Date,
    "date_precision": pl.String,
    "negated": pl.Boolean,
    "language": pl.String,
}


def _events(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def _tables() -> dict[str, pl.DataFrame]:
    events = _events(
        [
            ("e1", "AGREE", "Q159", "RUS", None, "BLR", date(2024, 1, 5), "day", False, "ru"),
            ("e2", "AGREE", None, "RUS", None, "BLR", date(2024, 1, 20), "day", False, "ru"),
            ("e3", "COOPERATE", None, "BLR", "Q159", "RUS", date(2024, 1, 9), "month", False, "en"),
            ("e4", "CONSULT", "Q7747", "RUS", None, "CHN", date(2024, 3, 1), "day", False, "en"),
            ("e5", "THREATEN", None, "NATO", None, "RUS", date(2024, 3, 2), "day", False, "de"),
            ("e6", "SANCTION", None, "USA", None, "RUS", None, None, False, "en"),  # undated
            ("e7", "AGREE", None, "RUS", None, "USA", date(2024, 2, 1), "day", True, "en"),  # negated
            ("e8", "SUPPORT", None, "CHN", None, "PRK", date(2024, 1, 1), "year", False, "en"),  # year only
        ]
    )
    actors = pl.DataFrame(
        {
            "actor_id": ["Q159", "Q184", "Q148", "Q7747", "Q7184"],
            "name": ["Russia", "Belarus", "China", "Vladimir Putin", "NATO"],
            "kind": ["STATE", "STATE", "STATE", "PERSON", "ORG"],
            "code": ["RUS", "BLR", "CHN", None, "NATO"],
        }
    )
    mentions = pl.DataFrame({"actor_id": ["Q184", None], "text": ["Belarus", "Lukashenko"]})
    documents = pl.DataFrame(
        {
            "doc_id": ["d1", "d2"],
            "published_date": [date(2024, 1, 6), date(2024, 3, 3)],
            "language": ["ru", "en"],
        }
    )
    return {"events": events, "actors": actors, "mentions": mentions, "documents": documents}


QUALITY = {
    "events": {"table": "events", "row_count": 8, "evaluated": 10, "failed_critical": 1, "failed_warning": 2},
    "documents": {
        "table": "documents",
        "row_count": 2,
        "evaluated": 6,
        "failed_critical": 0,
        "failed_warning": 0,
    },
}


def _chart(page: str, name: str) -> str:
    match = re.search(rf"<figure id='{name}' data-chart='{name}'>(.*?)</figure>", page, re.S)
    assert match, f"no chart {name}"
    return match.group(1)


def test_the_same_tables_give_the_same_bytes_whatever_the_row_order():
    tables = _tables()
    page = report_html("v1", tables, QUALITY)
    assert page == report_html("v1", tables, QUALITY)
    shuffled = {name: frame.reverse() for name, frame in tables.items()}
    assert page == report_html("v1", shuffled, dict(reversed(QUALITY.items())))


def test_every_chart_is_an_inline_svg_with_titles_and_no_outside_assets():
    page = report_html("v1", _tables(), QUALITY)
    assert re.findall(r"data-chart='([^']+)'", page) == list(CHARTS)
    for name in CHARTS:
        chart = _chart(page, name)
        assert chart.count("<svg") == 1 and f'<title id="{name}-title">' in chart
        assert "How to read this:" in chart
    for forbidden in ("<script", "http://", "https://", "src=", "<link"):
        assert forbidden not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Events dated: 2024-01-01 to 2024-03-02" in page
    assert "Languages of documents: en 1 · ru 1" in page


def test_bars_edges_and_nodes_match_the_data():
    page = report_html("v1", _tables(), QUALITY)
    timeline = _chart(page, "events-per-month")
    # Non-negated events with a day or month date: (2024-01, AGREE), (2024-01, COOPERATE),
    # (2024-03, CONSULT), (2024-03, THREATEN); the undated, negated and year-only ones are left out.
    assert timeline.count('<rect class="bar"') == 4
    assert "2024-01 · AGREE: 2 events" in timeline and "2024-02" in timeline
    assert ">SANCTION<" not in timeline and ">SUPPORT<" not in timeline  # legend: drawn types only
    assert "5 dated events shown; 1 undated and 1 dated only to a year not shown." in timeline

    network = _chart(page, "dyad-network")
    # Unordered pairs of non-negated events: BLR-RUS, CHN-RUS, NATO-RUS, RUS-USA, CHN-PRK.
    assert network.count('<line class="edge"') == 5
    assert network.count('<circle class="node"') == 6
    assert "BLR – RUS: 3 events (AGREE 2, COOPERATE 1)" in network

    actors = _chart(page, "top-actors")
    # Russia (by its id, or by the code RUS alone) 5, Belarus 3, China 2, then one each by key; NATO is
    # counted under the dictionary's id for the code, USA and PRK (not in the dictionary) under the code.
    labels = re.findall(r'<g class="actor-bar" data-actor="([^"]+)">', actors)
    assert labels == ["Q159", "Q184", "Q148", "PRK", "Q7184", "Q7747", "USA"]
    assert "Russia (Q159): 5 events, 2 as source, 3 as target" in actors
    assert "Vladimir Putin (Q7747)" in actors

    quality = _chart(page, "quality")
    assert quality.index(">documents<") < quality.index(">events<")  # contract order
    assert quality.count('<rect class="bar"') == 4  # documents: passed; events: passed, warning, blocking
    assert "events: 1 of 10 checks failed (blocking)" in quality and "BLOCKED" in quality


def test_hostile_text_is_escaped_everywhere():
    tables = _tables()
    hostile = "<script>alert('x')</script>"
    tables["actors"] = tables["actors"].with_columns(
        pl.when(pl.col("actor_id") == "Q159").then(pl.lit(hostile)).otherwise("name").alias("name")
    )
    tables["events"] = tables["events"].with_columns(
        pl.col("source_country").replace("NATO", "<img src=x onerror=alert(1)>"),
        pl.col("event_type").replace("THREATEN", "<u>BAD</u>"),
    )
    page = report_html("<v1>&", tables, {"<i>t</i>": {"row_count": 1, "evaluated": 1}})
    assert "<script" not in page and "<img" not in page and "<u>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;v1&gt;&amp;" in page


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_empty_tables_still_give_every_chart(kind):
    tables = {} if kind == "missing" else {t.name: t.empty() for t in PUBLISHED_TABLES}
    page = report_html("v0", tables, {})
    for name in CHARTS:
        assert "<svg" in _chart(page, name)
    assert "No dated events to chart" in page and "No dyads" in page
    assert "No validation results" in page and '<rect class="bar"' not in page


def test_a_long_span_is_drawn_per_year():
    events = _events(
        [
            ("e1", "AGREE", None, "RUS", None, "BLR", date(1999, 12, 8), "day", False, "en"),
            ("e2", "AGREE", None, "RUS", None, "CHN", date(2024, 5, 1), "day", False, "en"),
        ]
    )
    timeline = _chart(report_html("v", {"events": events}, {}), "events-per-month")
    assert "Events per year" in timeline and "1999 · AGREE: 1 event" in timeline
    assert timeline.count('<rect class="bar"') == 2


# Added to a copy of the report for the browser test only (the report itself has no scripts): the
# browser lays the page out, then records per chart the drawn size of its SVG and how many shapes
# got a non-empty box, so --dump-dom shows what was rendered, not just what was written.
_MEASURE = """<script>
for (const chart of document.querySelectorAll("[data-chart]")) {
  const svg = chart.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  let drawn = 0;
  for (const shape of svg ? svg.querySelectorAll("rect,circle,line,path") : []) {
    const b = shape.getBoundingClientRect();
    if (b.width > 0 || b.height > 0) drawn++;
  }
  chart.setAttribute("data-rendered", Math.round(box.width) + " " + Math.round(box.height) + " " + drawn);
}
</script>"""


class _ChartShapes(HTMLParser):
    """Per data-chart element of a DOM dump: SVG shapes written, and what the browser measured."""

    SHAPES = frozenset({"rect", "circle", "line", "path"})

    def __init__(self) -> None:
        super().__init__()
        self.chart: str | None = None
        self.depth = 0
        self.shapes: dict[str, int] = {}
        self.rendered: dict[str, tuple[int, ...]] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if "data-chart" in attributes:
            self.chart, self.depth = attributes["data-chart"], 0
            self.shapes[self.chart] = 0
            self.rendered[self.chart] = tuple(int(v) for v in attributes["data-rendered"].split())
        if self.chart and tag == "figure":
            self.depth += 1
        if self.chart and tag in self.SHAPES:
            self.shapes[self.chart] += 1

    def handle_endtag(self, tag: str) -> None:
        if self.chart and tag == "figure":
            self.depth -= 1
            if self.depth == 0:
                self.chart = None


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install -y chromium)"
)
def test_a_browser_draws_every_chart(tmp_path):
    page = report_html("v1", _tables(), QUALITY)
    report, measured = tmp_path / "report.html", tmp_path / "measured.html"
    report.write_text(page, encoding="utf-8")
    measured.write_text(page.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    started = time.monotonic()
    dom = _chromium("--dump-dom", measured.as_uri(), profile=tmp_path / "profile").stdout
    parser = _ChartShapes()
    parser.feed(dom)
    assert list(parser.shapes) == list(CHARTS)
    for name in CHARTS:
        width, height, drawn = parser.rendered[name]
        assert width > 300 and height > 100, (name, width, height)
        # Every rect/circle/line/path in the chart was laid out with a visible box.
        assert drawn == parser.shapes[name] > 3, (name, drawn, parser.shapes[name])

    screenshot = tmp_path / "report.png"
    _chromium(
        "--window-size=1000,2600", f"--screenshot={screenshot}", report.as_uri(), profile=tmp_path / "profile"
    )
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1000, 2600)
    # A blank page of this size is about 14 kB, this report about 180 kB.
    assert len(png) > 60_000
    print(f"chromium dump-dom + screenshot: {time.monotonic() - started:.1f}s")
