"""Shared fixtures: the project root, a dbt runner in a subprocess, generated raw data.

Tests that build a warehouse are marked `build` (from the fixtures they use, or by hand):
`make test-fast` runs the others. Under pytest-xdist (`make pytest` runs two workers), every
test that uses a session build is sent to the worker that makes it, and the tests of a module to
one worker (they share its module fixtures): the groups of `--dist loadgroup`. Every dbt
invocation is counted; the total is printed at the end of the run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from warehouse import add_withdrawal, connect

from segwarehouse.dbt_plugin import identity_path
from segwarehouse.tools.simulate import AS_OF_ENV, release_warehouse

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


GROUPS_ENV = "SEGWAREHOUSE_TEST_GROUPS"
# set (to anything): every dbt command of a test in a new process, not the fork server's child
NO_FORK_ENV = "SEGWAREHOUSE_TEST_NO_FORK"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: the test builds a warehouse (not in test-fast)")
    config.addinivalue_line(
        "markers", "spark: the test starts Spark (make spark-deps; not in test-fast)"
    )
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        root = Path(str(config.rootpath))
        log = root / ".pytest-dbt-invocations"
        log.unlink(missing_ok=True)
        os.environ[INVOCATIONS_ENV] = str(log)  # inherited by the xdist workers
        for stale in root.glob(".pytest-groups.*"):
            stale.unlink()
        os.environ[GROUPS_ENV] = str(root / ".pytest-groups")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that build; under xdist, write each test's group (the session build it
    uses, else its module) for the controller's scheduler (pytest_xdist_make_scheduler)."""
    groups, builds = {}, []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & (set(SESSION_BUILDS) | MODULE_BUILDS):
            item.add_marker(pytest.mark.build)
        group = next((SESSION_BUILDS[f] for f in SESSION_BUILDS if f in names), None)
        groups[item.nodeid] = group or item.nodeid.split("::")[0]
        if item.get_closest_marker("build"):
            builds.append(item.nodeid)
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and os.environ.get(GROUPS_ENV):
        path = Path(f"{os.environ[GROUPS_ENV]}.{worker}")
        partial = Path(f"{path}.partial")
        partial.write_text(json.dumps({"groups": groups, "builds": builds}))
        partial.replace(path)  # complete before the worker reports its collection


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadgroup` by the groups the workers wrote: every test of a group runs on one
    worker. (xdist's own loadgroup renames the test ids, which pytest 9 ignores: its groups
    never form, and each worker would make every session build.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BuildGroupScheduling(LoadScopeScheduling):
        groups: dict[str, str] | None = None
        builds: frozenset[str] = frozenset()

        def _read_groups(self) -> dict[str, str]:
            if self.groups is None:  # once every worker has collected
                base = Path(os.environ[GROUPS_ENV])
                written = sorted(base.parent.glob(f"{base.name}.gw*[0-9]"))
                found = json.loads(written[0].read_text()) if written else {}
                self.groups = found.get("groups", {})
                self.builds = frozenset(found.get("builds", []))
            return self.groups

        def _split_scope(self, nodeid: str) -> str:
            return self._read_groups().get(nodeid, nodeid)

        def _assign_work_unit(self, node: object) -> None:
            """The longest group left first (a session build, then the most tests that build):
            xdist would take them in the order of their number of tests, and a long group
            started last would finish alone."""
            groups = self._read_groups()
            weight: dict[str, int] = {}
            for nodeid, group in groups.items():
                weight[group] = weight.get(group, 0) + (10 if nodeid in self.builds else 1)
            for group in set(SESSION_BUILDS.values()) & set(weight):
                weight[group] += 1000
            heaviest = max(self.workqueue, key=lambda scope: weight.get(scope, 0))
            self.workqueue.move_to_end(heaviest, last=False)
            super()._assign_work_unit(node)  # type: ignore[arg-type]

    return BuildGroupScheduling(config, log)


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


# The environment every dbt command of a test adds (a test's own environment overrides it):
# - dbt's log file at info level, not debug (every SQL statement): ~6% of a small build's time.
#   The output a test reads (stdout) is the same.
# - one dbt thread: the two xdist workers already keep both cores busy, and a second thread per
#   build only adds contention (a full build of the clean data: 19.4 s of CPU against 21-22 s
#   with two threads). Nodes then run one at a time, in the DAG's order.
TEST_DBT_ENV = {"DBT_LOG_LEVEL_FILE": "info", "DBT_THREADS": "1"}


# the dbt commands that run nodes (build, write a warehouse, write run_results.json)
RUN_COMMANDS = frozenset({"build", "run", "seed", "snapshot", "test"})


@dataclass
class DbtCommand:
    argv: list[str]
    cwd: Path
    env: dict[str, str]


def dbt_command(
    args: list[str],
    raw_dir: Path,
    warehouse: Path,
    work: Path,
    extra_env: dict | None = None,
    as_of: object = None,
    artifacts: bool = False,
) -> DbtCommand:
    """The dbt CLI of this venv on the project with its own raw folder, warehouse and target
    folder (so tests never touch the developer's warehouse.duckdb or target/), as of the
    business date `as_of` if given (environment variable SEGWAREHOUSE_AS_OF, as the daily job
    gives it: unlike `--vars`, it needs no new parse).

    dbt parses the whole project anew unless its saved parse was made with the same vars and
    profile: a warehouse `<work>/warehouse.duckdb` is given as `warehouse.duckdb` relative to
    the work folder (dbt runs there, `--project-dir` the project), so every such test has the
    same profile, and a new target folder starts from a saved parse of the project (dbt checks
    it against the files and the vars, and parses again whatever differs).

    A build, run, seed, snapshot or test writes no manifest.json or run_results.json
    (`--no-write-json`: ~0.5 s of CPU per build) unless `artifacts`: for the tests that publish
    what they built (the publisher reads the build's run_results.json) or read the artifacts."""
    count_dbt_invocations("subprocess")
    command = next((arg for arg in args if not arg.startswith("-")), "")  # after global flags
    if os.environ.get(FAST_ONLY_ENV) and command in RUN_COMMANDS:
        pytest.fail(f"`dbt {command}` in a test not marked build (make test-fast runs it)")
    cwd, path = ROOT, warehouse
    own_project = "--project-dir" in args  # a test's copy of the project: run as given
    project = [] if own_project else ["--project-dir", str(ROOT)]
    if (
        not own_project
        and warehouse.name == "warehouse.duckdb"
        and warehouse.parent.resolve() == work.resolve()
    ):
        cwd, path = work, Path(warehouse.name)
        _seed_saved_parse(work / "target")
    env = {
        **os.environ,
        "RAW_DATA_DIR": str(raw_dir),
        "DBT_DUCKDB_PATH": str(path),
        # each warehouse with its own identity file, whatever the caller's environment says
        "DBT_IDENTITY_PATH": str(identity_path(path, {})),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        **TEST_DBT_ENV,
        AS_OF_ENV: "" if as_of is None else str(as_of),  # never the caller's
        **(extra_env or {}),
    }
    argv = [
        str(BIN / "dbt"), *args, *project,
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    if command in RUN_COMMANDS and not artifacts:
        argv.append("--no-write-json")
    return DbtCommand(argv, cwd, env)


def dbt(
    args: list[str],
    raw_dir: Path,
    warehouse: Path,
    work: Path,
    extra_env: dict | None = None,
    as_of: object = None,
    artifacts: bool = False,
) -> DbtResult:
    """Run dbt_command(...) to its end, in a child of this worker's dbt fork server."""
    command = dbt_command(args, raw_dir, warehouse, work, extra_env, as_of, artifacts)
    if os.environ.get(NO_FORK_ENV):  # a new process for every command, as before
        proc = subprocess.run(
            command.argv, cwd=command.cwd, env=command.env,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)
    return _fork_server().run(command)


class ForkServer:
    """This process's dbt fork server (tests/python/dbt_forkserver.py), started on first use:
    each command runs in a forked child of a process that imported dbt once."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            # the saved parse: the server decodes it once, as every dbt command will (warm_up)
            [
                sys.executable,
                str(Path(__file__).with_name("dbt_forkserver.py")),
                str(_saved_parse()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert json.loads(self.stdout.readline()) == {"ready": True}

    def run(self, command: DbtCommand) -> DbtResult:
        with tempfile.TemporaryDirectory(prefix="segwarehouse-dbt-") as folder:
            output = Path(folder) / "output"
            request = {
                "argv": ["dbt", *command.argv[1:]],
                "cwd": str(command.cwd),
                "env": command.env,
                "output": str(output),
            }
            self.stdin.write(json.dumps(request) + "\n")
            self.stdin.flush()
            reply = json.loads(self.stdout.readline())
            return DbtResult(reply["returncode"], output.read_text(errors="replace"))

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=30)


_FORK_SERVER: list[ForkServer] = []


def _fork_server() -> ForkServer:
    if not _FORK_SERVER:
        _FORK_SERVER.append(ForkServer())
    return _FORK_SERVER[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in _FORK_SERVER:
        server.close()


_SAVED_PARSE: list[Path] = []  # this process's parse of the project, made on first use


def _saved_parse() -> Path:
    """This process's parse of the project (no vars, the relative warehouse profile): its
    partial_parse.msgpack, made on first use."""
    if not _SAVED_PARSE:
        template = Path(tempfile.mkdtemp(prefix="segwarehouse-parse-"))
        count_dbt_invocations("subprocess")
        subprocess.run(
            [
                str(BIN / "dbt"), "parse", "--project-dir", str(ROOT),
                "--target-path", str(template / "target"), "--log-path", str(template / "logs"),
            ],
            cwd=template,
            env={
                **os.environ,
                "RAW_DATA_DIR": str(ROOT / "data" / "raw"),
                "DBT_DUCKDB_PATH": "warehouse.duckdb",
                "DBT_IDENTITY_PATH": "warehouse.identity.duckdb",
                "DBT_PROFILES_DIR": str(ROOT),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            },
            capture_output=True,
            check=True,
        )  # fmt: skip
        _SAVED_PARSE.append(template / "target" / "partial_parse.msgpack")
    return _SAVED_PARSE[0]


def _seed_saved_parse(target: Path) -> None:
    """Copy a parse of the project (no vars, the relative warehouse profile) into a new target
    folder, so that dbt parses there only what differs from it."""
    if (target / "partial_parse.msgpack").exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(_saved_parse(), target / "partial_parse.msgpack")


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
def dbt_in(tmp_path: Path) -> Callable[..., DbtResult]:
    """dbt runner bound to a fresh warehouse and target folder under tmp_path."""

    def run(args: list[str], raw_dir: Path, as_of: object = None, **env: str) -> DbtResult:
        return dbt(args, raw_dir, tmp_path / "warehouse.duckdb", tmp_path, env, as_of=as_of)

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
    result = dbt(["build"], clean_raw, warehouse, work, artifacts=True)
    # kept aside: later dbt commands on this warehouse (docs generate) rewrite target/
    results = work / "target" / "run_results.json"
    if results.exists():
        shutil.copy(results, work / "build_run_results.json")
    return Build(clean_raw, warehouse, work, result)


# ------------------------------------------------------------ SIM_DAYS simulated business days

# 12 days: the first (START, 2026-09-19) is the day before segment vip_high_value's version 2
# comes into force (the registry, config.meta.segment_registry of int_segment_versions_validated),
# so the history holds a version change
SIM_DAYS = 12
END = date(2026, 9, 30)  # the generator's last day
START = END - timedelta(days=SIM_DAYS - 1)
WITHDRAWN_ON = START + timedelta(days=6)
KEPT = END - timedelta(days=2)  # the simulation's warehouse is also kept as it was after KEPT
NO_TESTS = MODELS_ONLY


@dataclass
class Simulation:
    raw_dir: Path
    warehouse: Path
    work: Path
    customer_key: str  # withdrew personalization on WITHDRAWN_ON at noon
    segment_id: str  # a personalization segment they were in before
    output: str
    serving: Path  # the last day's build, published (segwarehouse.tools.publish)
    after_kept: Path  # a copy of the warehouse as it was after day KEPT (test_history)


def simulate(raw: Path, warehouse: Path, days: int, *extra: str) -> subprocess.CompletedProcess:
    """`python -m segwarehouse.tools.simulate` on the warehouse, its target folder beside it: a
    `warehouse.duckdb` is given relative to its folder, which starts from the saved parse (see
    dbt_command)."""
    count_dbt_invocations("simulate", days)  # one build a day
    cwd, path = ROOT, warehouse
    if warehouse.name == "warehouse.duckdb":
        cwd, path = warehouse.parent, Path(warehouse.name)
        _seed_saved_parse(warehouse.parent / "target")
    env = {
        "RAW_DATA_DIR": str(raw),
        "DBT_DUCKDB_PATH": str(path),
        "DBT_PROJECT_DIR": str(ROOT),
        # each warehouse with its own identity file, whatever the caller's environment says
        "DBT_IDENTITY_PATH": str(identity_path(path, {})),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        **TEST_DBT_ENV,
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
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    """SIM_DAYS simulated days on generated data, with one planted consent withdrawal (data tests
    on the last day)."""
    work = tmp_path_factory.mktemp("simulation")
    raw = generate(work / "raw", customers=3000, days=365, seed=3, bad_rate=0.01)
    warehouse = work / "warehouse.duckdb"
    # a member of a long-retention personalization segment on the first day, in the US (opt-out:
    # no grant expiry), with no consent event of their own during the simulated days
    first = simulate(raw, warehouse, 1, "--end", str(START), "--no-tests")
    assert first.returncode == 0, (first.stdout + first.stderr)[-3000:]
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
    # planted after the first day was built: a withdrawal dated later changes nothing before it
    add_withdrawal(raw, customer_id, f"{WITHDRAWN_ON} 12:00:00")
    # up to KEPT, a copy, then the last two days (data tests on the last one)
    middle = simulate(
        raw, warehouse, SIM_DAYS - 3, "--end", str(KEPT), "--keep-history", "--no-tests"
    )
    assert middle.returncode == 0, (middle.stdout + middle.stderr)[-3000:]
    after_kept = work / f"after-{KEPT}.duckdb"
    shutil.copy(warehouse, after_kept)
    result = simulate(raw, warehouse, 2, "--end", str(END), "--keep-history")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    # published now, while the last dbt invocation on it is that full build (publish refuses
    # once a test has rebuilt the warehouse in place without writing run_results.json)
    serving = work / "serving"
    published = subprocess.run(
        [
            sys.executable, "-m", "segwarehouse.tools.publish", "--warehouse", str(warehouse),
            "--serving-dir", str(serving), "--run-results", str(work / "target" / "run_results.json"),
        ],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    return Simulation(
        raw, warehouse, work, customer_key, "artisan_style", result.stdout + result.stderr, serving,
        after_kept,
    )  # fmt: skip


# ------------------------------------------------------------ the project parsed once

Render = Callable[..., str]


class Project:
    """The project parsed once per test session by dbt's programmatic runner, serving its
    manifest (target/manifest.json) and every rendering of project macros (`compile --inline`):
    on the in-memory `test` target, or against a built warehouse (`build=`: its raw folder and
    its relations, for macros that read them), parsed once per warehouse."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self._runners: dict[tuple[str, ...], tuple[object, list[str]]] = {}
        self._runner(None)
        self.manifest: dict = json.loads((work / "r0" / "target" / "manifest.json").read_text())

    @staticmethod
    def _key(build: Build | Simulation | None, target: str) -> tuple[str, ...]:
        return (target,) if build is None else (str(build.raw_dir), str(build.warehouse))

    @staticmethod
    @contextlib.contextmanager
    def _environment(build: Build | Simulation | None) -> Iterator[None]:
        """The environment the profile and the sources read, for one dbt call."""
        if build is None:
            values = {"RAW_DATA_DIR": str(ROOT / "data" / "raw")}
        else:
            values = {
                "RAW_DATA_DIR": str(build.raw_dir),
                "DBT_DUCKDB_PATH": str(build.warehouse),
                "DBT_IDENTITY_PATH": str(identity_path(build.warehouse, {})),
            }
        values |= {"DBT_PROFILES_DIR": str(ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def _runner(
        self, build: Build | Simulation | None, target: str = "test"
    ) -> tuple[object, list[str]]:
        key = self._key(build, target)
        if key not in self._runners:
            from dbt.cli.main import dbtRunner

            work = self.work / f"r{len(self._runners)}"
            common = [
                "--project-dir", str(ROOT), "--target", target if build is None else "dev",
                "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                "--log-level", "none",
            ]  # fmt: skip
            count_dbt_invocations("in-process")
            with self._environment(build):
                parsed = dbtRunner().invoke(["parse", *common])
            assert parsed.success, parsed.exception
            self._runners[key] = (dbtRunner(manifest=parsed.result), common)
        return self._runners[key]

    def render(
        self,
        sql: str,
        build: Build | Simulation | None = None,
        target: str = "test",
        **variables: object,
    ) -> str:
        """SQL of an inline query with project macros, as dbt compiles it: on the in-memory
        DuckDB target `test`, or as the `spark` target compiles it (no connection: dbt-spark
        is loaded beside dbt-duckdb in this process, no Spark starts)."""
        result = self._compile(sql, build, target, variables)
        # an error in the inline query is the context of dbt's "Error parsing inline query"
        assert result.success, f"{result.exception} {getattr(result.exception, '__context__', '')}"
        return result.result.results[0].node.compiled_code

    def compile_error(self, sql: str, target: str = "test", **variables: object) -> str:
        """The error dbt gives compiling an inline query that must fail (fails if it compiles)."""
        result = self._compile(sql, None, target, variables)
        assert not result.success, "the query compiled"
        return f"{result.exception} {getattr(result.exception, '__context__', '')}"

    def _compile(
        self,
        sql: str,
        build: Build | Simulation | None,
        target: str,
        variables: dict[str, object],
    ) -> object:
        runner, common = self._runner(build, target)
        args = ["compile", "--inline", sql, *common]
        if target == "spark":
            args.append("--no-populate-cache")
        if variables:
            args += ["--vars", json.dumps(variables, default=str)]
        count_dbt_invocations("in-process")
        try:
            with self._environment(build):
                return runner.invoke(args)  # type: ignore[attr-defined]
        finally:
            if build is not None:
                release_warehouse()  # else the test cannot open the file read-only


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def render(project: Project) -> Render:
    """SQL of an inline query with project macros on the in-memory test target."""
    return project.render
