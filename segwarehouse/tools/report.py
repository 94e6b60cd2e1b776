"""The dashboard's charts in one self-contained HTML file, for people who get it by e-mail.

    python -m segwarehouse.tools.report [--serving-dir serving] [--out report/segwarehouse-report.html]

It reads the published Parquet files (segwarehouse.dashboard.data), draws the charts of
segwarehouse.dashboard.charts under the page titles and texts of the dashboard
(segwarehouse.dashboard.texts), and inlines the Vega, Vega-Lite and vega-embed JavaScript
(vl-convert's bundle): no CDN, no network, it opens offline in any browser. Where the
dashboard lets a reader pick a segment, the report shows every segment.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from segwarehouse.dashboard import charts, data, texts

Item = alt.TopLevelMixin | str  # a chart, or a sentence saying why there is none


@dataclass
class Section:
    page: texts.Page
    items: list[Item] = field(default_factory=list)

    @property
    def charts(self) -> list[alt.TopLevelMixin]:
        return [item for item in self.items if not isinstance(item, str)]


def _rows(frame: pd.DataFrame | None, relation: str, empty: str) -> pd.DataFrame | str:
    if frame is None:
        return texts.MISSING.format(relation=relation)
    return empty if frame.empty else frame


def _sizes(publication: data.Publication) -> list[Item]:
    sizes = _rows(data.segment_sizes(publication), data.KPIS, texts.NO_HISTORY)
    if isinstance(sizes, str):
        return [sizes]
    if not sizes["members_entered"].notna().any():
        return [charts.members_over_time(sizes), texts.FIRST_DAY_ONLY]
    return [charts.members_over_time(sizes), charts.entries_and_exits(sizes)]


def _lift(publication: data.Publication) -> list[Item]:
    latest = _rows(data.latest_readouts(publication), data.KPIS, texts.NO_HISTORY)
    if isinstance(latest, str):
        return [latest]
    read = latest[latest["absolute_lift"].notna()]
    if read.empty:
        return [texts.NO_READOUT_ANYWHERE]
    items: list[Item] = [charts.lift_forest(latest)]
    unread = sorted(latest.loc[latest["absolute_lift"].isna(), "segment_name"])
    if unread:
        items.append(texts.NO_EXPOSURES_FOR.format(segments=", ".join(unread)))
    daily = data.daily_readouts(publication)
    assert daily is not None  # the same file as latest_readouts
    for name in read["segment_name"]:
        one = daily[daily["segment_name"] == name]
        items += [charts.lift_over_time(one), charts.conversion_by_arm(one)]
    return items


def _overlap(publication: data.Publication) -> list[Item]:
    pairs = _rows(data.overlap(publication), data.OVERLAP, texts.NO_OVERLAP)
    return [pairs if isinstance(pairs, str) else charts.overlap_heatmap(pairs)]


def _consent(publication: data.Publication) -> list[Item]:
    by_purpose_region = _rows(
        data.consent_rates(publication, "consent_purpose", "privacy_region"),
        data.CONSENT,
        texts.NO_CONSENT,
    )
    if isinstance(by_purpose_region, str):
        return [by_purpose_region]
    by_source = data.consent_rates(publication, "consent_source")
    assert by_source is not None  # the same file
    return [charts.opt_out_heatmap(by_purpose_region), charts.opt_out_by_source(by_source)]


def _violations(publication: data.Publication) -> list[Item]:
    rows = _rows(data.violations(publication), data.VIOLATIONS, texts.NO_VIOLATIONS)
    if isinstance(rows, str):
        return [rows]
    return [charts.violations_by_segment(rows), charts.violations_over_time(rows)]


def _quality(publication: data.Publication) -> list[Item]:
    quality = _rows(data.data_quality(publication), data.QUALITY, texts.NO_HISTORY)
    if isinstance(quality, str):
        return [quality]
    if quality["logged_rows"].sum() == 0:
        return [texts.NO_QUALITY_ISSUES]
    return [
        charts.logged_over_time(quality),
        charts.top_reasons(quality),
        charts.logged_share(quality),
    ]


SECTIONS = {
    texts.SIZES: _sizes,
    texts.LIFT: _lift,
    texts.OVERLAP: _overlap,
    texts.CONSENT: _consent,
    texts.VIOLATIONS: _violations,
    texts.QUALITY: _quality,
}


def sections(publication: data.Publication) -> list[Section]:
    return [Section(page, build(publication)) for page, build in SECTIONS.items()]


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 2.2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
nav a { margin-right: 1em; }
.meta { color: #666; }
.chart { margin: 1.2em 0; }
.empty { background: #eef4fb; border-left: 4px solid #4a90d9; padding: 0.6em 1em; }
"""


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


def render(publication: data.Publication, parts: list[Section]) -> str:
    """The whole HTML document, with the JavaScript libraries and every chart's spec inline."""
    specs: dict[str, dict] = {}
    body = []
    for section in parts:
        body.append(f'<section id="{section.page.slug}">')
        body.append(f"<h2>{html.escape(section.page.title)}</h2>")
        body.append(f"<p>{html.escape(section.page.intro)}</p>")
        for item in section.items:
            if isinstance(item, str):
                body.append(f'<p class="empty">{html.escape(item)}</p>')
            else:
                chart_id = f"chart-{len(specs) + 1}"
                specs[chart_id] = item.to_dict()
                body.append(f'<div class="chart" id="{chart_id}"></div>')
        body.append("</section>")
    toc = " ".join(f'<a href="#{s.page.slug}">{html.escape(s.page.title)}</a>' for s in parts)
    bundle = vl_convert.javascript_bundle()
    assert "</script" not in bundle.lower()
    as_of = html.escape(publication.as_of or "unknown")
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>Segment warehouse report, as of {as_of}</title>",
            f"<style>{STYLE}</style>",
            f"<script>{bundle}</script>",
            "</head><body>",
            "<h1>Segment warehouse report</h1>",
            f'<p class="meta">Published data as of business day {as_of} (publication '
            f"{html.escape(publication.stamp)}). The same charts as the dashboard; hover a "
            "chart for the numbers.</p>",
            f"<nav>{toc}</nav>",
            *body,
            "<script>",
            f"const specs = {_script_json(specs)};",
            "for (const [id, spec] of Object.entries(specs)) {",
            '  vegaEmbed("#" + id, spec, {renderer: "svg", actions: false});',
            "}",
            "</script>",
            "</body></html>",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serving-dir", type=Path, default=Path(os.environ.get("SERVING_DIR", "serving"))
    )
    parser.add_argument("--out", type=Path, default=Path("report/segwarehouse-report.html"))
    args = parser.parse_args(argv)
    publication = data.current_publication(args.serving_dir)
    if publication is None:
        print(
            f"report: {texts.NOTHING_PUBLISHED.format(serving=args.serving_dir)}", file=sys.stderr
        )
        return 1
    parts = sections(publication)
    document = render(publication, parts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(f".{args.out.name}.tmp")
    temporary.write_text(document)
    temporary.replace(args.out)
    count = sum(len(s.charts) for s in parts)
    print(
        f"wrote {args.out} ({count} charts, {len(document) / 1e6:.1f} MB), as of {publication.as_of}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
