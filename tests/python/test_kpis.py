"""KPI marts: the interval arithmetic against statsmodels, the read-out against the generator's
known treatment effect, sizes against membership, docs, and publishing while a BI tool reads."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import END, NO_TESTS, ROOT, SIM_DAYS, Build, Simulation, dbt
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from warehouse import connect

from segwarehouse.dbt_plugin import identity_path, register_functions

# ---------------------------------------------------------------- interval arithmetic


def _grid() -> list[tuple[int, int, int, int]]:
    """Counts (x1, n1, x2, n2) with zeros, tiny groups, extremes and a random sample."""
    small = [(x, n) for n in (1, 2, 3, 5, 10, 30) for x in sorted({0, 1, n // 2, n - 1, n})]
    large = [(0, 1000), (1, 1000), (120, 1000), (999, 1000), (1000, 1000), (362, 3063)]
    arms = small + large
    pairs = list(itertools.product(arms, arms))
    rng = np.random.default_rng(7)
    for _ in range(300):
        n1, n2 = rng.integers(1, 5000, 2)
        pairs.append(
            ((int(rng.integers(0, n1 + 1)), int(n1)), (int(rng.integers(0, n2 + 1)), int(n2)))
        )
    pairs += [((0, 0), (3, 10)), ((3, 10), (0, 0)), ((0, 0), (0, 0))]
    return [(a[0], a[1], b[0], b[1]) for a, b in pairs]


@pytest.fixture(scope="module")
def interval_rows(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    """The project's macros rendered by dbt, evaluated by DuckDB on every count of the grid."""
    work = tmp_path_factory.mktemp("intervals")
    expression = """
        select x1, n1, x2, n2,
            {{ wilson_bound('x1', 'n1', 'lower') }} as wilson_lower,
            {{ wilson_bound('x1', 'n1', 'upper') }} as wilson_upper,
            {{ newcombe_difference_bound('x1', 'n1', 'x2', 'n2', 'lower') }} as diff_lower,
            {{ newcombe_difference_bound('x1', 'n1', 'x2', 'n2', 'upper') }} as diff_upper,
            {{ two_proportion_p_value('x1', 'n1', 'x2', 'n2') }} as p_value
        from counts
    """
    result = dbt(
        ["compile", "--inline", expression, "--quiet", "--output", "json"],
        ROOT / "data" / "raw",
        work / "w.duckdb",
        work,
    )
    assert result.returncode == 0, result.output[-3000:]
    sql = json.JSONDecoder().raw_decode(result.output[result.output.index("{") :])[0]["compiled"]
    con = duckdb.connect()
    register_functions(con)
    grid = _grid()
    con.execute("create table counts (x1 bigint, n1 bigint, x2 bigint, n2 bigint)")
    con.executemany("insert into counts values (?, ?, ?, ?)", grid)
    return con.execute(sql).fetchall()


def test_wilson_matches_statsmodels(interval_rows: list[tuple]) -> None:
    checked = 0
    for x1, n1, _, _, lower, upper, *_ in interval_rows:
        if n1 == 0:
            assert lower is None and upper is None
            continue
        expected = proportion_confint(x1, n1, alpha=0.05, method="wilson")
        assert lower == pytest.approx(expected[0], abs=1e-9), (x1, n1)
        assert upper == pytest.approx(expected[1], abs=1e-9), (x1, n1)
        checked += 1
    assert checked > 300


def test_newcombe_difference_matches_statsmodels(interval_rows: list[tuple]) -> None:
    checked = 0
    for x1, n1, x2, n2, _, _, lower, upper, _ in interval_rows:
        if n1 == 0 or n2 == 0:
            assert lower is None and upper is None
            continue
        expected = confint_proportions_2indep(
            x1, n1, x2, n2, method="newcomb", compare="diff", alpha=0.05
        )
        assert lower == pytest.approx(expected[0], abs=1e-9), (x1, n1, x2, n2)
        assert upper == pytest.approx(expected[1], abs=1e-9), (x1, n1, x2, n2)
        assert -1 - 1e-12 <= lower <= x1 / n1 - x2 / n2 <= upper <= 1 + 1e-12
        checked += 1
    assert checked > 1000


def test_p_value_matches_statsmodels(interval_rows: list[tuple]) -> None:
    checked = 0
    for x1, n1, x2, n2, *_, p_value in interval_rows:
        pooled = (x1 + x2) / (n1 + n2) if n1 + n2 else 0
        if n1 == 0 or n2 == 0 or pooled in (0, 1):
            assert p_value is None, (x1, n1, x2, n2)
            continue
        _, expected = proportions_ztest([x1, x2], [n1, n2])
        if not math.isfinite(expected):
            continue
        assert p_value == pytest.approx(expected, abs=1e-9, rel=1e-9), (x1, n1, x2, n2)
        checked += 1
    assert checked > 1000


# ---------------------------------------------------------------- read-out on simulated days


def test_interval_covers_the_generators_true_lift(simulation: Simulation) -> None:
    truth = json.loads((simulation.raw_dir / "ground_truth.json").read_text())["segments"]
    con = connect(simulation.warehouse)
    rows = {
        row[0]: row[1:]
        for row in con.execute(
            """
            select segment_id, treatment_exposed, holdout_exposed, absolute_lift,
                absolute_lift_ci_lower, absolute_lift_ci_upper
            from marts.segment_kpis_daily
            where kpi_date = ?
            """,
            [END],
        ).fetchall()
    }
    assert truth, "the generator treated no segment"
    for segment_id, planted in truth.items():
        treated, held_out, lift, lower, upper = rows[segment_id]
        assert treated > 0 and held_out > 0, segment_id
        assert treated <= planted["exposures_planted"]["treatment"]
        assert lower <= planted["true_absolute_lift"] <= upper, (
            segment_id,
            planted,
            lift,
            lower,
            upper,
        )


def test_kpi_sizes_equal_membership_for_every_segment_and_day(simulation: Simulation) -> None:
    """segment_kpis_daily (built incrementally, one day per run) against what segment_membership
    held on each simulated day (recorded by the simulation after each day's build). Later purges
    of deleted customers shrink segment_history, never these counts."""
    report = json.loads(
        (simulation.warehouse.parent / "target" / "simulate_report.json").read_text()
    )
    recorded = {
        (segment_id, day): members
        for day, counts in report["membership_counts"].items()
        for segment_id, members in counts.items()
    }
    con = connect(simulation.warehouse)
    kpis = {
        (segment_id, str(day)): members
        for segment_id, day, members in con.execute(
            "select segment_id, kpi_date, members from marts.segment_kpis_daily"
        ).fetchall()
    }
    assert len(report["membership_counts"]) == SIM_DAYS
    assert {key: n for key, n in kpis.items() if n} == recorded
    last_day = con.execute(
        """
        select k.segment_id, k.members, count(m.customer_key)
        from marts.segment_kpis_daily as k
        left join marts.segment_membership as m using (segment_id)
        where k.kpi_date = ?
        group by all
        having k.members != count(m.customer_key)
        """,
        [END],
    ).fetchall()
    assert last_day == []


def test_running_the_business_day_again_replaces_only_its_kpis(
    simulation: Simulation, tmp_path: Path
) -> None:
    """The mart's window is the business day (date_window_config, from_newest_loaded false):
    a second run of END deletes and recomputes END's rows, keeps the 29 days before, and adds
    no duplicate."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(simulation.warehouse, warehouse)
    result = dbt(["build", *NO_TESTS], simulation.raw_dir, warehouse, tmp_path, as_of=END)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(simulation.warehouse)
    con.execute(f"attach '{warehouse}' as after_run (read_only)")
    one, two = "marts.segment_kpis_daily", "after_run.marts.segment_kpis_daily"
    only_before = con.execute(f"select * from {one} except all select * from {two}").fetchall()
    only_after = con.execute(f"select * from {two} except all select * from {one}").fetchall()
    days = con.execute(
        f"select count(distinct kpi_date), count(*) filter (where kpi_date = ?) from {two}", [END]
    ).fetchall()[0]
    con.execute("detach after_run")
    assert (only_before, only_after) == ([], [])
    assert days[0] == SIM_DAYS and days[1] > 0


def test_tiny_groups_are_flagged_not_crashing(simulation: Simulation) -> None:
    con = connect(simulation.warehouse)
    rows = con.execute(
        "select treatment_exposed, holdout_exposed, is_readout_reliable, absolute_lift_ci_lower "
        "from marts.segment_kpis_daily"
    ).fetchall()
    for treated, held_out, reliable, lower in rows:
        assert reliable == (treated >= 30 and held_out >= 30)
        if treated == 0 or held_out == 0:
            assert lower is None


# ---------------------------------------------------------------- BI: docs and publishing


def test_docs_generate(clean_build: Build) -> None:
    assert clean_build.result.returncode == 0, clean_build.result.output[-3000:]
    result = dbt(["docs", "generate"], clean_build.raw_dir, clean_build.warehouse, clean_build.work)
    assert result.returncode == 0, result.output[-3000:]
    catalog = json.loads((clean_build.work / "target" / "catalog.json").read_text())
    marts = [n for n in catalog["nodes"] if ".segment_kpis_daily" in n]
    assert marts


def _publish(build: Build, serving: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "segwarehouse.tools.publish",
            "--warehouse", str(build.warehouse),
            "--serving-dir", str(serving),
            "--run-results", str(build.work / "target" / "run_results.json"),
        ],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def _rebuilt(clean_build: Build, tmp_path: Path) -> Build:
    """A copy of the clean warehouse with its identity file and the run results of its build,
    in a target folder of its own: what a finished build leaves."""
    work = tmp_path / "work"
    build = Build(clean_build.raw_dir, work / "warehouse.duckdb", work, None)
    (work / "target").mkdir(parents=True)
    shutil.copy(clean_build.warehouse, build.warehouse)
    shutil.copy(identity_path(clean_build.warehouse, {}), identity_path(build.warehouse, {}))
    shutil.copy(clean_build.work / "build_run_results.json", work / "target" / "run_results.json")
    return build


def test_a_reader_never_blocks_a_build_nor_sees_half_a_publication(
    clean_build: Build, tmp_path: Path
) -> None:
    build = _rebuilt(clean_build, tmp_path)
    serving = tmp_path / "serving"
    first = _publish(build, serving)
    assert first.returncode == 0, first.stderr
    reader = duckdb.connect(str(serving / "published.duckdb"), read_only=True)
    old_id = reader.execute("select dbt_invocation_id from _publication").fetchall()[0][0]
    old_rows = reader.execute("select count(*) from marts.customer_features").fetchall()[0][0]
    # a BI tool keeps reading, in a loop, while the next build and publication run
    seen: list[tuple] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(
                reader.execute(
                    "select (select dbt_invocation_id from _publication),"
                    " (select count(*) from marts.customer_features)"
                ).fetchall()[0]
            )
            stop.wait(0.05)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        result = dbt(
            ["build", *NO_TESTS], build.raw_dir, build.warehouse, build.work, artifacts=True
        )
        assert result.returncode == 0, result.output[-3000:]
        second = _publish(build, serving)
        assert second.returncode == 0, second.stderr
    finally:
        stop.set()
        thread.join()
    assert seen and set(seen) == {(old_id, old_rows)}  # the old version, whole, throughout
    reader.close()
    fresh = duckdb.connect(str(serving / "published.duckdb"), read_only=True)
    new_id = fresh.execute("select dbt_invocation_id from _publication").fetchall()[0][0]
    fresh.close()
    assert new_id != old_id
    assert (serving / "parquet" / "current" / "marts.segment_kpis_daily.parquet").exists()


def test_a_failed_build_publishes_nothing(clean_build: Build, tmp_path: Path) -> None:
    build = _rebuilt(clean_build, tmp_path)
    serving = tmp_path / "serving"
    assert _publish(build, serving).returncode == 0
    before = (serving / "published.duckdb").read_bytes()
    broken = "{segment_registry: [{segment_id: broken, version: 1}]}"
    result = dbt(
        ["build", *NO_TESTS, "--vars", broken],
        build.raw_dir, build.warehouse, build.work, artifacts=True,
    )  # fmt: skip
    assert result.returncode != 0
    refused = _publish(build, serving)
    assert refused.returncode == 1
    assert "nothing published" in refused.stderr
    assert (serving / "published.duckdb").read_bytes() == before
