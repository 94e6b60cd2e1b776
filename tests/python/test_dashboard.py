"""The dashboard and the static report, on the published simulation (SIM_DAYS business days):
every page in Streamlit's AppTest (no browser) with its numbers read back from the published
Parquet files, the explained empty states, the report's HTML (self-contained, every chart), and
one real browser (Debian's chromium and chromium-driver, selenium) on the running dashboard and
on the report."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SIM_DAYS, Simulation
from selenium.webdriver.support.ui import WebDriverWait
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from segwarehouse.dashboard import browser, data, texts
from segwarehouse.tools import report

APP = ROOT / "segwarehouse" / "dashboard" / "app.py"


def published(serving: Path, relation: str, sql: str) -> list[tuple]:
    """`sql` on view `t`, the relation's published Parquet file: read here independently of
    the dashboard's own queries."""
    folder = Path(os.path.realpath(serving / "current"))
    con = duckdb.connect()
    try:
        path = folder / "parquet" / f"{relation}.parquet"
        con.execute(f"create view t as from read_parquet('{path}')")
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def serving(simulation: Simulation) -> Path:
    return simulation.serving


@pytest.fixture(scope="module")
def app(serving: Path) -> Iterator[AppTest]:
    """The dashboard in AppTest on the published simulation, run once on its first page."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(data.SERVING_DIR_ENV, str(serving))
        test = AppTest.from_file(str(APP), default_timeout=60)
        test.run()
        yield test


def show(app: AppTest, page: texts.Page) -> AppTest:
    app.switch_page(f"views/{page.slug}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert [title.value for title in app.title] == [page.title]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def specs(app: AppTest) -> list[dict]:
    """Each chart's Vega-Lite spec, its data rows (which Streamlit sends beside the spec, as
    Arrow) put back in `datasets`."""
    charts = []
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["datasets"] = {
            dataset.name: dataframe_util.convert_arrow_bytes_to_pandas_df(
                dataset.data.data
            ).to_dict("records")
            for dataset in chart.proto.datasets
        }
        charts.append(spec)
    return charts


def rows(spec: dict) -> list[dict]:
    """The data rows of a chart, of all its layers."""
    return [row for values in spec["datasets"].values() for row in values]


def infos(app: AppTest) -> list[str]:
    return [info.value for info in app.info]


# ---------------------------------------------------------------- every page in AppTest


def test_segment_sizes_page(app: AppTest, serving: Path) -> None:
    show(app, texts.SIZES)
    segments, days, members = published(
        serving,
        data.KPIS,
        "select count(distinct segment_id), count(distinct kpi_date), sum(members) from t",
    )[0]
    assert days == SIM_DAYS
    shown = metrics(app)
    assert shown["Segments"] == str(segments)
    assert shown["Business days recorded"] == str(SIM_DAYS)
    members_chart, flows_chart = specs(app)
    assert members_chart["title"] == "Customers in each segment, day by day"
    assert sum(row["members"] for row in rows(members_chart)) == members
    # the entries and exits of the segment chosen (the first by name), from the second day on
    chosen = app.selectbox(key="sizes_segment").value
    panel = rows(flows_chart)
    assert {row["segment_name"] for row in panel} == {chosen}
    assert len({row["kpi_date"] for row in panel}) == SIM_DAYS - 1
    latest = dict(
        published(
            serving,
            data.KPIS,
            "select segment_id, members from t where kpi_date = (select max(kpi_date) from t)",
        )
    )
    table = app.dataframe[0].value
    assert sorted(table["members"]) == sorted(latest.values())


def test_lift_page(app: AppTest, serving: Path) -> None:
    show(app, texts.LIFT)
    latest = published(
        serving,
        data.KPIS,
        "select segment_id, absolute_lift, absolute_lift_ci_lower, absolute_lift_ci_upper"
        " from t where kpi_date = (select max(kpi_date) from t)",
    )
    read = {segment: values for segment, *values in latest if values[0] is not None}
    assert read and len(read) < len(latest), "the simulation has segments with and without"
    assert metrics(app)["Segments with a read-out"] == f"{len(read)} of {len(latest)}"
    forest, over_time, by_arm = specs(app)  # forest, then the first read segment's day by day
    assert forest["title"].startswith("Lift per segment with 95% intervals")
    plotted = sorted(
        (round(row["absolute_lift_ci_lower_pp"], 9), round(row["absolute_lift_ci_upper_pp"], 9))
        for row in rows(forest)
        if "absolute_lift_ci_lower_pp" in row
    )
    assert plotted == sorted(
        (round(lo * 100, 9), round(hi * 100, 9)) for _, lo, hi in read.values()
    )
    assert over_time["title"].startswith("Daily read-out of")
    assert by_arm["title"].startswith("Conversion of the targeted and the holdout group")
    # a segment without any exposure read: the page says so instead of a chart
    names = dict(published(serving, data.SEGMENTS, "select segment_id, segment_name from t"))
    unread = sorted(names[segment] for segment, *_ in latest if segment not in read)
    app.selectbox(key="lift_segment").set_value(unread[0]).run()
    assert texts.NO_EXPOSURES in infos(app)
    assert len(specs(app)) == 1  # the forest plot only


def test_overlap_page(app: AppTest, serving: Path) -> None:
    show(app, texts.OVERLAP)
    pairs, largest = published(serving, data.OVERLAP, "select count(*), max(jaccard_index) from t")[
        0
    ]
    assert metrics(app)["Largest overlap"] == f"{largest:.0%}"
    (heatmap,) = specs(app)
    assert heatmap["title"].startswith("Customers shared by two segments")
    assert len(rows(heatmap)) == pairs


def test_consent_page(app: AppTest, serving: Path) -> None:
    show(app, texts.CONSENT)
    choices, opt_outs, gpc = published(
        serving,
        data.CONSENT,
        "select sum(choices), sum(denials + withdrawals), sum(gpc_signals) from t",
    )[0]
    shown = metrics(app)
    assert shown["Consent choices recorded"] == f"{choices:,}"
    assert shown["Opt-outs (denials and withdrawals)"] == f"{opt_outs / choices:.1%}"
    assert shown["Global Privacy Control signals"] == f"{gpc:,}"
    heatmap, by_source = specs(app)
    assert sum(row["choices"] for row in rows(heatmap)) == choices
    assert sum(row["gpc_signals"] for row in rows(by_source)) == gpc


def test_exposure_violations_page(app: AppTest, serving: Path) -> None:
    show(app, texts.VIOLATIONS)
    ((exposures,),) = published(serving, data.VIOLATIONS, "select count(*) from t")
    assert exposures > 0, "the simulation plants exposures without a legal ground"
    assert metrics(app)["Exposures with a violation"] == f"{exposures:,}"
    by_segment, over_time = specs(app)
    ((reasons,),) = published(
        serving,
        data.VIOLATIONS,
        "select count(*) from (select unnest(string_split(compliance_issue, ';')) from t)",
    )
    assert sum(row["exposures"] for row in rows(by_segment)) == reasons
    assert over_time["title"] == "Exposures that broke a rule, per week of exposure"


def test_data_quality_page(app: AppTest, serving: Path) -> None:
    show(app, texts.QUALITY)
    day, logged, total, days = published(
        serving,
        data.QUALITY,
        "select max(as_of_date), sum(logged_rows) filter (where as_of_date = (select max(as_of_date)"
        " from t)), sum(logged_rows), count(distinct as_of_date) from t",
    )[0]
    assert days == SIM_DAYS
    assert metrics(app)[f"Raw rows logged on {day:%d %b %Y}"] == f"{logged:,}"
    over_time, reasons, share = specs(app)
    assert over_time["title"] == "Raw rows logged by the checks, per table and day"
    assert sum(row["logged_rows"] for row in rows(over_time)) == total
    assert reasons["title"].startswith("The 15 reasons that logged the most rows")
    assert share["title"].startswith("Share of each raw table's rows logged")


# ---------------------------------------------------------------- the explained empty states


def _publication_without(serving: Path, relation: str, into: Path) -> Path:
    """A serving folder whose current publication is the given one without `relation`: links
    to its files (a publication of a project version before that relation existed)."""
    folder = Path(os.path.realpath(serving / "current"))
    copy = into / "publications" / folder.name
    (copy / "parquet").mkdir(parents=True)
    shutil.copy(folder / data.MARKER, copy / data.MARKER)
    for parquet in (folder / "parquet").iterdir():
        if parquet.name != f"{relation}.parquet":
            (copy / "parquet" / parquet.name).symlink_to(parquet)
    (into / "current").symlink_to(f"publications/{folder.name}")
    return into


def test_a_relation_missing_from_the_publication_is_explained(
    app: AppTest, serving: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        data.SERVING_DIR_ENV, str(_publication_without(serving, data.QUALITY, tmp_path))
    )
    show(app, texts.QUALITY)
    assert infos(app) == [texts.MISSING.format(relation=data.QUALITY)]
    assert not specs(app) and not app.metric


def test_nothing_published_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(data.SERVING_DIR_ENV, str(tmp_path))
    test = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not test.exception
    assert [title.value for title in test.title] == [texts.PAGES[0].title]
    assert infos(test) == [texts.NOTHING_PUBLISHED.format(serving=tmp_path)]


# ---------------------------------------------------------------- the static report


@pytest.fixture(scope="module")
def report_file(serving: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "segwarehouse-report.html"
    assert report.main(["--serving-dir", str(serving), "--out", str(out)]) == 0
    return out


def test_the_report_is_self_contained_with_every_chart(report_file: Path, serving: Path) -> None:
    document = report_file.read_text()
    # nothing fetched from the network: every script inline, no stylesheet, image or frame
    # from elsewhere, no CDN named anywhere (the inline libraries included)
    scripts = re.findall(r"<script\b([^>]*)>", document)
    assert scripts and not [attributes for attributes in scripts if "src" in attributes]
    markup = re.sub(r"(?s)<script\b[^>]*>.*?</script>", "", document)
    assert not re.search(r"""<(link|img|iframe|object|embed)\b""", markup)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert not re.search(
        r"""@import|url\(\s*['"]?https?:|jsdelivr|unpkg|cdnjs|import\(""", document
    )
    assert "vegaEmbed" in document and "vega-lite" in document.lower()
    publication = data.current_publication(serving)
    assert publication is not None
    sections = report.sections(publication)
    expected = [chart.to_dict()["title"] for section in sections for chart in section.charts]
    embedded = json.loads(re.search(r"^const specs = (\{.*\});$", document, re.M).group(1))
    assert [spec["title"] for spec in embedded.values()] == expected
    assert document.count('<div class="chart" id="chart-') == len(expected)
    for section in sections:
        assert f"<h2>{section.page.title}</h2>" in document
    # every page's charts, and a day-by-day read-out for each segment with a read-out
    ((read,),) = published(
        serving,
        data.KPIS,
        "select count(*) from t where kpi_date = (select max(kpi_date) from t)"
        " and absolute_lift is not null",
    )
    assert len(expected) == 2 + (1 + 2 * read) + 1 + 2 + 2 + 3


# ---------------------------------------------------------------- one real browser


def test_the_dashboard_and_the_report_in_a_real_browser(serving: Path, report_file: Path) -> None:
    """`streamlit run` on a free port, Debian's chromium through chromium-driver: the first page
    is drawn (title, charts), then the report file offline; screenshots under target/."""
    target = ROOT / "target"
    with browser.serve(serving) as url, browser.chromium() as driver:
        browser.open_page(driver, url, texts.LIFT, charts=3)
        assert not browser.errors(driver)
        charts = driver.find_elements("css selector", '[data-testid="stVegaLiteChart"]')
        assert len(charts) == 3  # the forest plot, the first segment's read-out and its groups
        browser.screenshot(driver, target / "dashboard-smoke.png")
        assert (target / "dashboard-smoke.png").stat().st_size > 10_000
        driver.get(report_file.as_uri())
        drawn = "return document.querySelectorAll('.chart svg.marks').length"
        expected = report_file.read_text().count('<div class="chart" id="chart-')
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(drawn) == expected)
        browser.screenshot(driver, target / "report-smoke.png")
