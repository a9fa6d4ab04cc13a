"""A readable, self-contained HTML page of a release's validation results."""

from __future__ import annotations

import html
import json

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
    "table{border-collapse:collapse;width:100%;margin-bottom:2em}"
    "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;font-size:.9em}"
    ".ok{color:#176317}.fail{color:#a31515;font-weight:bold}.warn{color:#8a6100;font-weight:bold}"
)


def _status(result: dict) -> str:
    if result["success"]:
        return '<span class="ok">passed</span>'
    css = "fail" if result["severity"] == "critical" else "warn"
    return f'<span class="{css}">failed ({html.escape(result["severity"])})</span>'


def quality_html(version: str, quality: dict[str, dict]) -> str:
    """Render {table: SuiteOutcome.as_dict()} as one HTML page."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Quality {html.escape(version)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>Validation results, release {html.escape(version)}</h1>"
    ]
    for table, outcome in quality.items():
        parts.append(
            f"<h2>{html.escape(table)}: {outcome.get('row_count', 0)} rows, "
            f"{outcome.get('failed_critical', 0)} blocking and {outcome.get('failed_warning', 0)} "
            "warning failures</h2><table><tr><th>expectation</th><th>arguments</th><th>why</th>"
            "<th>result</th><th>unexpected</th></tr>"
        )
        for result in outcome.get("results", []):
            parts.append(
                "<tr>"
                f"<td>{html.escape(result['expectation'])}</td>"
                f"<td><code>{html.escape(json.dumps(result['kwargs'], ensure_ascii=False))}</code></td>"
                f"<td>{html.escape(result.get('why') or '')}</td>"
                f"<td>{_status(result)}</td>"
                f"<td>{html.escape(str(result.get('unexpected_count') if result.get('unexpected_count') is not None else ''))}</td>"
                "</tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
