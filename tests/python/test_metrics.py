"""The semantic layer (models/marts/kpis/_kpis__semantic_models.yml, issue 15): `mf query`, the
MetricFlow CLI BI tools and people use, returns the numbers of the KPI marts, row by row, at the
grain each metric's description names.

Each query runs the real `mf` CLI of this venv on a copy of a session build's warehouse (mf opens
it read-write through the dbt adapter; the copy keeps the fixture untouched) and reads the
semantic manifest the build wrote (`target/semantic_manifest.json`): mf looks for it under its
project folder, so that folder is a scratch one holding the project's dbt_project.yml and a copy
of the manifest. No dbt parse, no build: about 4-5 s of CPU per query."""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from conftest import ROOT, Build, Simulation, count_dbt_invocations

MF = Path(sys.executable).parent / "mf"


@dataclass
class MetricLayer:
    folder: Path  # the scratch project folder mf runs in
    warehouse: Path  # the copy it queries

    def query(self, metrics: list[str], group_by: list[str], *extra: str) -> list[dict]:
        """`mf query --metrics ... --group-by ... --csv`: its rows, None for an empty value."""
        out = self.folder / f"query-{len(list(self.folder.glob('query-*.csv')))}.csv"
        env = {
            **os.environ,
            "DBT_PROJECT_DIR": str(self.folder),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_DUCKDB_PATH": str(self.warehouse),
            "DBT_IDENTITY_PATH": str(self.folder / "empty.identity.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET": "dev",
        }
        args = ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
        count_dbt_invocations("mf")  # mf runs `dbt debug` in its process, then the query
        proc = subprocess.run(
            [str(MF), *args, *extra, "--csv", str(out), "--quiet"],
            cwd=self.folder, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert proc.returncode == 0 and out.exists(), (proc.stdout + proc.stderr)[-3000:]
        with out.open(newline="") as handle:
            return [
                {k: (v if v != "" else None) for k, v in row.items()}
                for row in csv.DictReader(handle)
            ]

    def mart(self, sql: str) -> list[dict]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()


def metric_layer(built: Build | Simulation, folder: Path) -> MetricLayer:
    manifest = built.work / "target" / "semantic_manifest.json"
    assert manifest.exists(), f"the build wrote no semantic manifest: {manifest}"
    (folder / "target").mkdir(parents=True)
    shutil.copy(manifest, folder / "target" / "semantic_manifest.json")
    (folder / "dbt_project.yml").symlink_to(ROOT / "dbt_project.yml")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(built.warehouse, warehouse)
    wal = built.warehouse.with_name(built.warehouse.name + ".wal")
    if wal.exists():  # commits not yet checkpointed into the file (DuckDB replays them)
        shutil.copy(wal, warehouse.with_name(warehouse.name + ".wal"))
    return MetricLayer(folder, warehouse)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def assert_same(
    mf_rows: list[dict], mart_rows: list[dict], columns: dict[str, str], tolerance: dict[str, float]
) -> None:
    """Same (segment, day) rows, non-empty, and each metric equal to its mart column (nulls
    included): `columns` maps metric -> mart column, `tolerance` gives absolute ones."""
    assert mart_rows, "the mart is empty: nothing compared"
    by_key = {(r["segment__segment_id"], _day(r["metric_time__day"])): r for r in mf_rows}
    expected = {(r["segment_id"], _day(r["kpi_date"])): r for r in mart_rows}
    assert len(by_key) == len(mf_rows)
    assert sorted(by_key) == sorted(expected)
    wrong = []
    for key, row in sorted(expected.items()):
        for metric, column in columns.items():
            want, got = row[column], by_key[key][metric]
            if want is None or got is None:
                ok = want is None and got is None
            else:
                ok = math.isclose(
                    float(got), float(want), rel_tol=1e-9, abs_tol=tolerance.get(metric, 1e-12)
                )
            if not ok:
                wrong.append(f"{key} {metric}: mf {got!r}, mart {column} {want!r}")
    assert not wrong, wrong[:20]


# metric -> the column of segment_kpis_daily it equals at segment x day
DAILY = {
    "members": "members",
    "orders_30d": "orders_30d",
    "net_revenue_30d_usd": "net_revenue_30d_usd",
    "conversion_rate_30d": "conversion_rate_30d",
    "average_order_value_30d_usd": "average_order_value_30d_usd",
    "return_rate_30d": "return_rate_30d",
    "churn_rate_30d": "churn_rate_30d",
    "members_entered": "members_entered",
    "members_opted_out": "members_opted_out",
    "opt_out_rate": "opt_out_rate",
    "treatment_exposed": "treatment_exposed",
    "treatment_conversion_rate": "treatment_conversion_rate",
    "holdout_conversion_rate": "holdout_conversion_rate",
    "absolute_lift": "absolute_lift",
}
# the mart divides the revenue before rounding it to cents, the metric the stored revenue
TOLERANCE = {"average_order_value_30d_usd": 0.005 + 1e-9}
BY_SEGMENT_AND_DAY = ["segment__segment_id", "metric_time__day"]


def _daily(layer: MetricLayer) -> None:
    last_day = layer.mart("select max(kpi_date) as d from marts.segment_kpis_daily")[0]["d"]
    # opt_out_rate divides by the members of the day before (an offset window): without an end,
    # MetricFlow adds the day after the last one, where only that offset input has a value
    rows = layer.query(list(DAILY), BY_SEGMENT_AND_DAY, "--end-time", str(last_day))
    columns = ", ".join(DAILY.values())
    mart = layer.mart(f"select segment_id, kpi_date, {columns} from marts.segment_kpis_daily")
    assert_same(rows, mart, DAILY, TOLERANCE)


def test_mf_query_returns_the_daily_marts_numbers(clean_build: Build, tmp_path: Path) -> None:
    """The business day of a clean build: every metric per segment and day is the mart's, and
    the ones that must be set (members, conversion, the arms' read-out) are."""
    assert clean_build.result.returncode == 0, clean_build.result.output[-3000:]
    layer = metric_layer(clean_build, tmp_path)
    _daily(layer)
    rates = layer.mart(
        "select count(conversion_rate_30d) as conversion, count(absolute_lift) as lift, "
        "count(average_order_value_30d_usd) as aov from marts.segment_kpis_daily"
    )[0]
    assert min(rates.values()) > 0, rates  # compared on real numbers, not only nulls


def test_mf_query_returns_the_marts_numbers_over_simulated_days(
    simulation: Simulation, tmp_path: Path
) -> None:
    """15 daily runs: the flows and the opt-out rate (members of the day before, from the row of
    the day before) per segment and day, and the month grain: the states take each segment's
    last day, as the month_end_ columns of segment_kpis_monthly, and the flows their sum."""
    layer = metric_layer(simulation, tmp_path)
    _daily(layer)
    opted_out = layer.mart("select count(opt_out_rate) as n from marts.segment_kpis_daily")[0]
    assert opted_out["n"] > 0
    monthly = {
        "members": "month_end_members",
        "conversion_rate_30d": "month_end_conversion_rate_30d",
        "average_order_value_30d_usd": "month_end_average_order_value_30d_usd",
        "churn_rate_30d": "month_end_churn_rate_30d",
        "members_entered": "members_entered",
        "members_opted_out": "members_opted_out",
    }
    rows = layer.query(list(monthly), ["segment__segment_id", "metric_time__month"])
    for row in rows:
        row["metric_time__day"] = row.pop("metric_time__month")
    mart = layer.mart(
        f"select segment_id, kpi_month as kpi_date, {', '.join(monthly.values())} "
        "from marts.segment_kpis_monthly"
    )
    assert_same(rows, mart, monthly, TOLERANCE)
