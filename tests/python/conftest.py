"""Shared fixtures: the project root, a dbt runner in a subprocess, generated raw data.

Tests that build a warehouse are marked `build` (from the fixtures they use, or by hand):
`make test-fast` runs the others. Under pytest-xdist (`make pytest` runs two workers), every
test that uses a session build is sent to the worker that makes it, and the tests of a module to
one worker (they share its module fixtures): groups for `--dist loadgroup`. Every dbt
invocation is counted; the total is printed at the end of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from warehouse import add_withdrawal, connect

from segwarehouse.dbt_plugin import identity_path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# ------------------------------------------------------------ test groups, dbt invocations

# session fixtures that build a warehouse, each the xdist group of the tests that use it (a test
# needing clean_raw only goes with clean_build, which is made from it)
SESSION_BUILDS = {
    "simulation": "simulation",
    "clean_build": "clean_build",
    "clean_raw": "clean_build",
    "bad_build": "bad_build",
}
# fixtures of single modules that run dbt build or generate data
MODULE_BUILDS = {"dbt_in", "hostile", "small_raw", "raw", "simulated", "days", "planted", "sim"}
INVOCATIONS_ENV = "SEGWAREHOUSE_TEST_DBT_INVOCATIONS"
# set by make test-fast: a test that builds without the build marker fails, naming the command
FAST_ONLY_ENV = "SEGWAREHOUSE_TEST_FAST"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: the test builds a warehouse (not in test-fast)")
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        log = Path(str(config.rootpath)) / ".pytest-dbt-invocations"
        log.unlink(missing_ok=True)
        os.environ[INVOCATIONS_ENV] = str(log)  # inherited by the xdist workers


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & (set(SESSION_BUILDS) | MODULE_BUILDS):
            item.add_marker(pytest.mark.build)
        group = next((SESSION_BUILDS[f] for f in SESSION_BUILDS if f in names), None)
        item.add_marker(pytest.mark.xdist_group(group or item.module.__name__))


def count_dbt_invocations(kind: str, count: int = 1) -> None:
    """Record `count` dbt invocations of `kind` (subprocess, in-process, simulate)."""
    log = os.environ.get(INVOCATIONS_ENV)
    if log:
        with open(log, "a") as handle:  # one short write per call: safe across workers
            handle.write(f"{kind} {count}\n")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return
    log = Path(os.environ.get(INVOCATIONS_ENV, "")) if os.environ.get(INVOCATIONS_ENV) else None
    if log is None or not log.exists():
        return
    kinds: dict[str, int] = {}
    for line in log.read_text().splitlines():
        kind, count = line.split()
        kinds[kind] = kinds.get(kind, 0) + int(count)
    detail = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    terminalreporter.write_line(f"dbt invocations: {sum(kinds.values())} ({detail})")


@dataclass
class DbtResult:
    returncode: int
    output: str


def dbt(
    args: list[str], raw_dir: Path, warehouse: Path, work: Path, extra_env: dict | None = None
) -> DbtResult:
    """Run the dbt CLI of this venv on the project with its own raw folder, warehouse and
    target folder (so tests never touch the developer's warehouse.duckdb or target/)."""
    count_dbt_invocations("subprocess")
    if os.environ.get(FAST_ONLY_ENV) and args[0] in ("build", "run", "seed", "snapshot", "test"):
        pytest.fail(f"`dbt {args[0]}` in a test not marked build (make test-fast runs it)")
    env = {
        **os.environ,
        "RAW_DATA_DIR": str(raw_dir),
        "DBT_DUCKDB_PATH": str(warehouse),
        # each warehouse with its own identity file, whatever the caller's environment says
        "DBT_IDENTITY_PATH": str(identity_path(warehouse, {})),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        **(extra_env or {}),
    }
    proc = subprocess.run(
        [
            str(BIN / "dbt"),
            *args,
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtResult(proc.returncode, proc.stdout + proc.stderr)


def generate(out: Path, customers: int, days: int, seed: int, bad_rate: float) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "segwarehouse.generate",
            "--customers",
            str(customers),
            "--days",
            str(days),
            "--seed",
            str(seed),
            "--bad-rate",
            str(bad_rate),
            "--out",
            str(out),
            "--no-progress",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


@dataclass
class Build:
    raw_dir: Path
    warehouse: Path
    work: Path
    result: DbtResult


@pytest.fixture(scope="session")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Raw data with 5% injected defects in every table, built with `dbt build`."""
    work = tmp_path_factory.mktemp("bad_build")
    raw = generate(work / "raw", customers=3000, days=120, seed=11, bad_rate=0.05)
    warehouse = work / "warehouse.duckdb"
    # 5% of every defect kind in every table (and their cascade: orders of quarantined
    # customers are unknown) is an abnormal reject share by design: warned, not failed
    result = dbt(["build", "--vars", "{reject_share_severity: warn}"], raw, warehouse, work)
    return Build(raw, warehouse, work, result)


@pytest.fixture()
def dbt_in(tmp_path: Path) -> Callable[[list[str], Path], DbtResult]:
    """dbt runner bound to a fresh warehouse and target folder under tmp_path."""

    def run(args: list[str], raw_dir: Path, **env: str) -> DbtResult:
        return dbt(args, raw_dir, tmp_path / "warehouse.duckdb", tmp_path, env)

    return run


# everything but data and unit tests (models, seeds, snapshots: marts downstream of history)
MODELS_ONLY = ["--exclude-resource-type", "test", "unit_test"]


@pytest.fixture(scope="session")
def clean_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Defect-free raw data, small enough for several builds."""
    return generate(
        tmp_path_factory.mktemp("clean_raw") / "raw", customers=2000, days=150, seed=5, bad_rate=0.0
    )


@pytest.fixture(scope="session")
def clean_build(tmp_path_factory: pytest.TempPathFactory, clean_raw: Path) -> Build:
    """The clean raw data built with `dbt build` (all data and unit tests) as of its last day."""
    work = tmp_path_factory.mktemp("clean_build")
    warehouse = work / "warehouse.duckdb"
    result = dbt(["build"], clean_raw, warehouse, work)
    # kept aside: later dbt commands on this warehouse (docs generate) rewrite target/
    results = work / "target" / "run_results.json"
    if results.exists():
        shutil.copy(results, work / "build_run_results.json")
    return Build(clean_raw, warehouse, work, result)


# ------------------------------------------------------------ 30 simulated business days

SIM_DAYS = 30
END = date(2026, 9, 30)  # the generator's last day
START = END - timedelta(days=SIM_DAYS - 1)
WITHDRAWN_ON = START + timedelta(days=12)
NO_TESTS = MODELS_ONLY


@dataclass
class Simulation:
    raw_dir: Path
    warehouse: Path
    work: Path
    customer_key: str  # withdrew personalization on WITHDRAWN_ON at noon
    segment_id: str  # a personalization segment they were in before
    output: str


def simulate(raw: Path, warehouse: Path, days: int, *extra: str) -> subprocess.CompletedProcess:
    # each day a build and a show of the membership counts, then a show of the history
    count_dbt_invocations("simulate", 2 * days + 1)
    env = {
        "RAW_DATA_DIR": str(raw),
        "DBT_DUCKDB_PATH": str(warehouse),
        # each warehouse with its own identity file, whatever the caller's environment says
        "DBT_IDENTITY_PATH": str(identity_path(warehouse, {})),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PATH": str(Path(sys.executable).parent),
        "DBT_TARGET_PATH": str(warehouse.parent / "target"),
        "DBT_LOG_PATH": str(warehouse.parent / "logs"),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "segwarehouse.tools.simulate",
            "--days",
            str(days),
            "--no-progress",
            *list(extra),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    """30 simulated days on generated data, with one planted consent withdrawal."""
    work = tmp_path_factory.mktemp("simulation")
    raw = generate(work / "raw", customers=3000, days=365, seed=3, bad_rate=0.01)
    warehouse = work / "warehouse.duckdb"
    # a member of a long-retention personalization segment on the first day, in the US (opt-out:
    # no grant expiry), with no consent event of their own during the simulated days
    first = dbt(["build", *NO_TESTS, "--vars", f"{{as_of: '{START}'}}"], raw, warehouse, work)
    assert first.returncode == 0, first.output[-3000:]
    con = connect(warehouse)
    customer_key, customer_id = con.execute(
        f"""
        select m.customer_key, i.customer_id
        from marts.segment_membership as m
        inner join restricted.stg_shop__customer_identities as i using (customer_key)
        where
            m.segment_id = 'artisan_style' and m.privacy_region = 'us_ca'
            and m.customer_key not in (
                select customer_key from staging.stg_privacy__consent_events
                where recorded_at >= date '{START}'
            )
        order by m.customer_key
        limit 1
        """
    ).fetchall()[0]
    con.close()
    add_withdrawal(raw, customer_id, f"{WITHDRAWN_ON} 12:00:00")
    result = simulate(raw, warehouse, SIM_DAYS, "--end", str(END))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return Simulation(
        raw, warehouse, work, customer_key, "artisan_style", result.stdout + result.stderr
    )


# ------------------------------------------------------------ macros rendered by dbt

Render = Callable[..., str]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """SQL of an inline query with project macros, compiled by dbt's programmatic runner."""
    from dbt.cli.main import dbtRunner

    work = tmp_path_factory.mktemp("macros")
    os.environ.setdefault("RAW_DATA_DIR", str(ROOT / "data" / "raw"))
    os.environ["DBT_PROFILES_DIR"] = str(ROOT)
    runner = dbtRunner()
    common = [
        "--project-dir", str(ROOT), "--target", "test", "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"), "--log-level", "none",
    ]  # fmt: skip
    count_dbt_invocations("in-process")
    parsed = runner.invoke(["parse", *common])
    assert parsed.success, parsed.exception
    runner = dbtRunner(manifest=parsed.result)

    def compile_sql(sql: str, **variables: object) -> str:
        args = ["compile", "--inline", sql, *common]
        if variables:
            args += ["--vars", json.dumps(variables)]
        count_dbt_invocations("in-process")
        result = runner.invoke(args)
        # an error in the inline query is the context of dbt's "Error parsing inline query"
        assert result.success, f"{result.exception} {getattr(result.exception, '__context__', '')}"
        return result.result.results[0].node.compiled_code

    return compile_sql
