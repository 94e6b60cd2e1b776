"""The auditor's package as a PDF: HTML with vector (SVG) charts, rendered by WeasyPrint.

Charts are Vega-Lite specs converted to SVG by vl-convert (no browser, no network). Numbers are
printed as the marts hold them: rates as percentages with two decimals, counts with thousands
separators, p-values with four decimals.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from segwarehouse.tools.audit import Package

SECTIONS = (
    ("spec", "1. Segment specification in force"),
    ("versions", "2. Version history"),
    ("rule", "3. Rule SQL"),
    ("notices", "4. Consent and notice versions of the members"),
    ("proof", "5. Reproduction proof"),
    ("lift", "6. Lift read-out: treatment against holdout"),
    ("changes", "7. Change log around the date"),
    ("sample", "8. Sample of member rows (pseudonymous)"),
    ("quality", "9. Data quality of the inputs"),
)

CSS = """
@page {
    size: A4; margin: 18mm 16mm 20mm 16mm;
    @bottom-center {
        content: "segwarehouse audit package · page " counter(page) " of " counter(pages);
        font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555;
    }
}
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; table-layout: fixed; }
th, td {
    border: 1px solid #ccc; padding: 2pt 3pt; text-align: left; vertical-align: top;
    font-size: 7.5pt; overflow-wrap: anywhere;
}
table.fields th { width: 28%; }
table.auto { table-layout: auto; }
table.auto td, table.auto th { overflow-wrap: normal; }
th { background: #eee; }
td.num { text-align: right; }
pre { font-size: 7.5pt; white-space: pre-wrap; background: #f6f6f6; padding: 4pt; }
.verdict { padding: 6pt; margin: 6pt 0; font-weight: bold; }
.equal { background: #e3f4e3; border: 1px solid #3a3; }
.differs { background: #fbe3e3; border: 1px solid #c33; }
.note { color: #444; }
.key { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; word-break: break-all; }
"""


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def p_value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _cell(value: object, align: bool = True) -> str:
    number = ' class="num"' if align else ""
    if value is None:
        return "<td>—</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int):
        return f"<td{number}>{value:,}</td>"
    if isinstance(value, float):
        return f"<td{number}>{value:.4g}</td>"
    if isinstance(value, list):
        return f"<td>{html.escape(', '.join(str(item) for item in value))}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _table(
    rows: list[dict], columns: list[str], key_columns: tuple[str, ...] = (), css: str = ""
) -> str:
    if not rows:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            if column in key_columns:
                cells.append(f'<td class="key">{html.escape(str(row[column]))}</td>')
            else:
                cells.append(_cell(row[column]))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="{css}"><tr>{head}</tr>{"".join(body)}</table>'


def _fields(spec: dict, skip: tuple[str, ...] = ("rule_sql",)) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th>{_cell(value, align=False)}</tr>"
        for name, value in spec.items()
        if name not in skip
    )
    return f'<table class="fields">{rows}</table>'


def pp(value: float | None) -> str:
    """A difference of two rates, in percentage points."""
    return "n/a" if value is None else f"{100 * value:.2f} pp"


def readout_charts(series: list[dict], segment_name: str) -> list[dict]:
    """The dashboard's two read-out charts of one segment (segwarehouse.dashboard.charts: each
    chart stated once), as Vega-Lite specs sized for the page."""
    import pandas as pd

    from segwarehouse.dashboard import charts

    frame = pd.DataFrame(series).assign(segment_name=segment_name)
    frame["kpi_date"] = pd.to_datetime(frame["kpi_date"])
    return [
        chart.properties(width=440, height=160)
        .configure_legend(orient="bottom")
        .configure_title(anchor="start", fontSize=12)
        .to_dict()
        for chart in (charts.conversion_by_arm(frame), charts.lift_over_time(frame))
    ]


def svg(spec: dict) -> str:
    """A Vega-Lite spec as an inline <img> of its SVG (vector in the PDF)."""
    import vl_convert

    image = vl_convert.vegalite_to_svg(json.dumps(spec))
    data = base64.b64encode(image.encode()).decode()
    return f'<img style="width: 100%" src="data:image/svg+xml;base64,{data}"/>'


def _lift_section(package: Package) -> str:
    readout = package.readout
    on_day = readout["on_date"]
    series = readout["series"]
    if on_day is None:
        return (
            '<p class="note">segment_kpis_daily holds no row for this segment on this day: '
            "no read-out was computed.</p>"
        )
    reliable = (
        "reliable (both arms large enough)"
        if on_day["is_readout_reliable"]
        else "NOT reliable (arms too small)"
    )
    lower, upper = on_day["absolute_lift_ci_lower"], on_day["absolute_lift_ci_upper"]
    significant = (
        "n/a"
        if lower is None or upper is None
        else "yes: the 95% interval excludes 0"
        if lower > 0 or upper < 0
        else "no: the 95% interval includes 0"
    )
    figures = [
        ("Members (treatment / holdout)",
         f"{count(on_day['treatment_members'])} / {count(on_day['holdout_members'])}"),
        ("Exposures read out, cumulative (treatment / holdout)",
         f"{count(on_day['treatment_exposed'])} / {count(on_day['holdout_exposed'])}"),
        ("Exposures followed by an order (treatment / holdout)",
         f"{count(on_day['treatment_converted'])} / {count(on_day['holdout_converted'])}"),
        ("Treatment conversion rate (95% interval)",
         f"{pct(on_day['treatment_conversion_rate'])} "
         f"({pct(on_day['treatment_conversion_ci_lower'])} to "
         f"{pct(on_day['treatment_conversion_ci_upper'])})"),
        ("Holdout conversion rate (95% interval)",
         f"{pct(on_day['holdout_conversion_rate'])} "
         f"({pct(on_day['holdout_conversion_ci_lower'])} to "
         f"{pct(on_day['holdout_conversion_ci_upper'])})"),
        ("Absolute lift, treatment - holdout (95% interval)",
         f"{pp(on_day['absolute_lift'])} ({pp(on_day['absolute_lift_ci_lower'])} to "
         f"{pp(on_day['absolute_lift_ci_upper'])})"),
        ("Relative lift (absolute lift / holdout rate)", pct(on_day["relative_lift"])),
        ("p-value (pooled two-proportion z-test)", p_value(on_day["lift_p_value"])),
        ("Lift different from 0 at the 5% level", significant),
        ("Read-out", reliable),
        ("Exposures excluded (compliance.compliance_exposure_violations)",
         count(on_day["exposure_violations"])),
    ]  # fmt: skip
    rows = "".join(
        f"<tr><th>{name}</th><td>{html.escape(text)}</td></tr>" for name, text in figures
    )
    parts = [f"<p>On {package.audit_date}:</p><table>{rows}</table>"]
    if any(row["absolute_lift"] is not None for row in series):
        parts += [svg(spec) for spec in readout_charts(series, package.spec["segment_name"])]
    else:
        parts.append(
            '<p class="note">No exposure of this segment is logged up to this day: there is '
            "no lift to read, so no chart is drawn.</p>"
        )
    return "".join(parts)


def _proof_section(package: Package) -> str:
    proof = package.proof
    verdict = (
        '<div class="verdict equal">EQUAL: the members re-run from the snapshots alone are the '
        "members segment_history recorded, row for row.</div>"
        if proof["equal"]
        else '<div class="verdict differs">DIFFERS: the reproduction does not equal the record '
        "(see the differences below).</div>"
    )
    figures = [
        ("Members recorded in segment_history", count(proof["recorded_members"])),
        ("Members reproduced from the snapshots", count(proof["reproduced_members"])),
        ("Recorded but not reproduced", count(len(proof["only_recorded"]))),
        ("Reproduced but not recorded", count(len(proof["only_reproduced"]))),
        ("Members in both with differing rows", count(len(proof["rows_differing"]))),
        ("SHA-256 of the recorded keys (sorted)", proof["recorded_sha256"]),
        ("SHA-256 of the reproduced keys (sorted)", proof["reproduced_sha256"]),
        ("Columns compared", ", ".join(proof["compared_columns"])),
    ]
    rows = "".join(
        f'<tr><th>{name}</th><td class="key">{html.escape(text)}</td></tr>'
        for name, text in figures
    )
    differences = ""
    for name, title in (
        ("only_recorded", "Recorded only"),
        ("only_reproduced", "Reproduced only"),
        ("rows_differing", "Differing rows"),
    ):
        if proof[name]:
            keys = ", ".join(proof[name][:50])
            more = f" and {len(proof[name]) - 50:,} more" if len(proof[name]) > 50 else ""
            differences += f'<p><b>{title}:</b> <span class="key">{keys}{more}</span></p>'
    method = (
        '<p class="note">Reproduced by macro reproduce_segment_members: the rule version in force '
        "on each day, evaluated on that day's customer_features snapshot with that day's consent "
        "and legal ground, with the version's retention; recorded by macro "
        "recorded_segment_members from history.segment_history. Full lists: "
        "members_recorded.csv and members_reproduced.csv.</p>"
    )
    return verdict + f"<table>{rows}</table>" + differences + method


def _quality_section(package: Package) -> str:
    quality = package.data_quality
    if not quality["tables"]:
        return '<p class="note">No data-quality record (marts.data_quality_daily) on or before this day.</p>'
    tables = [
        {
            "source": row["source_name"],
            "table": row["source_table"],
            "raw rows": row["raw_rows"],
            "rejected rows": row["rejected_rows"],
            "rejected share": pct(row["rejected_share"]),
            "logged rows (all)": row["logged_rows"],
            "logged share": pct(row["logged_share"]),
        }
        for row in quality["tables"]
    ]
    reasons = [
        {
            "table": row["source_table"],
            "disposition": row["disposition"],
            "reason": row["reason"],
            "rows": row["logged_rows"],
            "share": pct(row["share_of_raw_rows"]),
        }
        for row in quality["top_reasons"]
    ]
    return (
        f"<p>As recorded by the build of {quality['as_of_date']} (marts.data_quality_daily). "
        "Rejected = quarantined for a failed check or set aside as a conflict; logged also "
        "counts duplicates, superseded versions, rows of deleted customers and repaired or "
        "flagged rows.</p>"
        + _table(tables, list(tables[0]), css="auto")
        + "<p><b>Most frequent reasons</b></p>"
        + _table(reasons, ["table", "disposition", "reason", "rows", "share"], css="auto")
    )


def render_html(package: Package) -> str:
    spec = package.spec
    versions = [
        {**version, "in force": version["in_force_on_date"]} for version in package.versions
    ]
    bodies = {
        "spec": _fields(spec),
        "versions": _table(
            versions,
            [
                "segment_version",
                "valid_from",
                "valid_to",
                "recorded_from",
                "recorded_to",
                "author",
                "change_reason",
                "definition_hash",
                "in force",
            ],
            key_columns=("definition_hash",),
        ),
        "rule": f"<pre>{html.escape(spec['rule_sql'] or '')}</pre>",
        "notices": _table(
            package.notices,
            ["consent_version", "members", "jurisdiction", "published_on", "description"],
        ),
        "proof": _proof_section(package),
        "lift": _lift_section(package),
        "changes": _table(
            package.changes,
            [
                "change_date",
                "segment_version",
                "customers_entered",
                "customers_exited",
                "customers_changed",
                "version_author",
                "version_change_reason",
                "consent_versions_involved",
            ],
        )
        + f'<p class="note">Days {package.audit_date} ± 14 (audit.audit_segment_changes).</p>',
        "sample": _table(
            package.sample,
            [
                "customer_key",
                "segment_version",
                "legal_ground",
                "consent_version",
                "experiment_arm",
                "entered_at",
            ],
            key_columns=("customer_key",),
        )
        + '<p class="note">Pseudonymous keys only: no personal data leaves the identity file.</p>',
        "quality": _quality_section(package),
    }
    sections = "".join(
        f'<h2 id="{name}">{html.escape(title)}</h2>{bodies[name]}' for name, title in SECTIONS
    )
    verdict = "equal" if package.proof["equal"] else "DIFFERS"
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Audit package {html.escape(package.segment_id)}
{package.audit_date}</title><style>{CSS}</style></head><body>
<h1>Audit package: {html.escape(str(spec["segment_name"]))} ({html.escape(package.segment_id)})</h1>
<p>Segment as of business day <b>{package.audit_date}</b>, version {spec["segment_version"]};
reproduction from the snapshots: <b>{verdict}</b>. Warehouse: {html.escape(package.warehouse)}.</p>
{sections}
</body></html>
"""


def render_pdf(package: Package, path: Path) -> None:
    from weasyprint import HTML

    HTML(string=render_html(package), base_url=str(path.parent)).write_pdf(str(path))
