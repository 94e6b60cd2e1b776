"""Crash safety of `make build` and `make publish`: a SIGKILL at any moment, then a rerun, gives
the same warehouse and a consistent publication; a reader never sees two publications mixed;
killed publishes leave nothing behind; a killed build is never published."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import END, NO_TESTS, ROOT, dbt, dbt_command, generate

from segwarehouse.dbt_plugin import identity_path

DAY = END  # the business day of the second build
DAY_BEFORE = END - timedelta(days=1)
# What differs between two correct builds by design: the record of the dbt invocations
# (ids and wall-clock times of each run; a killed run adds one). No column of any other
# relation is wall-clock, so nothing else is ignored.
IGNORED_RELATIONS = {"ops.dbt_invocations"}


@dataclass
class Built:
    warehouse: Path
    run_results: Path
    as_of: str


@dataclass
class Days:
    raw: Path
    before: Built  # the warehouse as of DAY_BEFORE, built without DAY's event delivery
    after: Built  # `before`, then built as of DAY with the delivery landed (the reference)


BUILD_ARGS = ["build", *NO_TESTS]  # as of a day given by dbt(..., as_of=)


def _copy(built: Built, to: Path) -> Built:
    to.mkdir(parents=True)
    warehouse = to / "warehouse.duckdb"
    shutil.copy(built.warehouse, warehouse)
    # with its identity file (e-mails and names), copied owner-only like the original
    shutil.copy(identity_path(built.warehouse, {}), identity_path(warehouse, {}))
    (to / "target").mkdir()
    shutil.copy(built.run_results, to / "target" / "run_results.json")
    return Built(warehouse, to / "target" / "run_results.json", built.as_of)


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> Days:
    work = tmp_path_factory.mktemp("publish")
    raw = generate(work / "raw", customers=1500, days=90, seed=5, bad_rate=0.01)
    delivery = raw / "events" / f"delivered_date={DAY}"
    held_back = work / delivery.name
    delivery.rename(held_back)
    before_dir = work / "before"
    result = dbt(
        BUILD_ARGS, raw, before_dir / "warehouse.duckdb", before_dir, as_of=DAY_BEFORE,
        artifacts=True,
    )  # fmt: skip
    assert result.returncode == 0, result.output[-3000:]
    held_back.rename(delivery)
    before = Built(
        before_dir / "warehouse.duckdb", before_dir / "target" / "run_results.json", str(DAY_BEFORE)
    )
    after = _copy(before, work / "after")
    result = dbt(
        BUILD_ARGS, raw, after.warehouse, after.warehouse.parent, as_of=DAY, artifacts=True
    )
    assert result.returncode == 0, result.output[-3000:]
    return Days(raw, before, Built(after.warehouse, after.run_results, str(DAY)))


# ---------------------------------------------------------------- killing processes


def dbt_killed_when(
    args: list[str], raw: Path, built: Built, moment: list[str], sig: int = signal.SIGKILL
) -> str:
    """Run dbt with --debug as of DAY and send `sig` as soon as its output has shown lines
    matching each regex of `moment` in turn. Returns the output; fails if the run ended first
    or was not stopped by the signal."""
    work = built.warehouse.parent
    command = dbt_command(["--debug", *args], raw, built.warehouse, work, as_of=DAY, artifacts=True)
    proc = subprocess.Popen(
        command.argv, cwd=command.cwd,
        # unbuffered: dbt's output to a pipe is block-buffered, so a line could reach us only
        # when the run had already ended
        env={**command.env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # dbt as a terminal starts it, Ctrl-C at its default: a job started in the background
        # by a non-interactive shell (`make test &`, a CI runner) inherits SIGINT *ignored*,
        # and Python then never raises KeyboardInterrupt (dbt ran on to the end, exit 0)
        preexec_fn=_sigint_default,
    )  # fmt: skip
    assert proc.stdout is not None
    lines, pending = [], [re.compile(m) for m in moment]
    for line in proc.stdout:
        lines.append(line)
        if pending and pending[0].search(line):
            pending.pop(0)
            if not pending:
                proc.send_signal(sig)
                break
    proc.stdout.close()
    proc.wait()
    assert not pending, f"dbt ended before {moment}:\n{''.join(lines[-40:])}"
    # SIGKILL: no exit code; SIGINT (Ctrl-C): dbt cancels its queries and exits with an error
    stopped = proc.returncode == -sig if sig == signal.SIGKILL else proc.returncode > 0
    assert stopped, (proc.returncode, "".join(lines[-40:]))
    return "".join(lines)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


KILLER = """
import os, signal, sys, shutil
kill_at = sys.argv[1]  # '<n>': the n-th file system call; '<name>:<n>': the n-th call of os.<name>
calls = {"any": 0}
def wrap(module, name):
    original = getattr(module, name)
    def wrapped(*args, **kwargs):
        calls[name] = calls.get(name, 0) + 1
        calls["any"] += 1
        what, _, n = kill_at.rpartition(":")
        if calls.get(what or "any", 0) == int(n) and (not what or what == name):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    setattr(module, name, wrapped)
for name in ("replace", "rename", "symlink", "fsync", "unlink", "rmdir", "mkdir"):
    wrap(os, name)
wrap(shutil, "rmtree")
from segwarehouse.tools.publish import main
code = main(sys.argv[2:])
print("calls", calls["any"], file=sys.stderr)
sys.exit(code)
"""


def publish(built: Built, serving: Path, kill_at: str = "0") -> subprocess.CompletedProcess:
    """`python -m segwarehouse.tools.publish`, SIGKILLed just before the file system call `kill_at`
    ('0': never)."""
    return subprocess.run(
        [sys.executable, "-c", KILLER, kill_at, "--warehouse", str(built.warehouse),
         "--serving-dir", str(serving), "--run-results", str(built.run_results)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


# ---------------------------------------------------------------- what a reader sees


@dataclass(frozen=True)
class Seen:
    as_of_duckdb: str
    as_of_parquet: str
    duckdb_counts: tuple
    parquet_counts: tuple


def read_publication(serving: Path) -> Seen:
    """What a BI reader sees at the fixed paths: the DuckDB file, and the Parquet folder
    resolved once (as the docs tell a reader of several files to do)."""
    con = duckdb.connect(str(serving / "published.duckdb"), read_only=True)
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name <> 'main' "
        "order by 1, 2"
    ).fetchall()
    duckdb_counts = tuple(
        (f"{s}.{t}", con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0])
        for s, t in tables
    )
    as_of_duckdb = con.execute("select max(as_of_date) from marts.customer_features").fetchall()
    con.close()
    folder = Path(os.path.realpath(serving / "parquet" / "current"))
    con = duckdb.connect()
    parquet_counts = tuple(
        (p.name.removesuffix(".parquet"),
         con.execute(f"select count(*) from read_parquet('{p}')").fetchall()[0][0])
        for p in sorted(folder.glob("*.parquet"))
    )  # fmt: skip
    as_of_parquet = con.execute(
        f"select max(as_of_date) from read_parquet('{folder}/marts.customer_features.parquet')"
    ).fetchall()
    con.close()
    return Seen(str(as_of_duckdb[0][0]), str(as_of_parquet[0][0]), duckdb_counts, parquet_counts)


def assert_whole(seen: Seen, expected: dict[str, Seen]) -> str:
    """Both formats show the same publication, whole: one of the expected ones."""
    assert seen.as_of_duckdb == seen.as_of_parquet, f"mixed publications: {seen}"
    assert seen == expected[seen.as_of_duckdb], f"not a whole publication: {seen}"
    return seen.as_of_duckdb


def leftovers(serving: Path) -> list[Path]:
    """Temporary files or links, and folders of Parquet files that no complete publication
    owns (a complete one has its _publication.json beside its files or its parquet/)."""
    found = []
    for path in serving.rglob("*"):
        if path.name.startswith(".") and path.name != ".publish.lock":
            found.append(path)
        if path in publication_folders(serving) and not any(
            (folder / "_publication.json").exists() for folder in (path, path.parent)
        ):
            found.append(path)
    return found


def publication_folders(serving: Path) -> set[Path]:
    """Folders holding a publication's Parquet files (whatever the layout)."""
    return {
        p for p in serving.rglob("*")
        if p.is_dir() and not p.is_symlink() and any(p.glob("*.parquet"))
    }  # fmt: skip


# ---------------------------------------------------------------- publish


def test_a_publish_killed_at_any_step_never_mixes_publications(days: Days, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    builds = {b.as_of: b for b in (days.before, days.after)}
    expected = {}
    for built in builds.values():
        done = publish(built, serving)
        assert done.returncode == 0, done.stderr
        expected[built.as_of] = read_publication(serving)
    # kill each publish at the next step, publishing the other warehouse each time
    step, killed = 1, 0
    while True:
        current = assert_whole(read_publication(serving), expected)
        other = next(b for as_of, b in builds.items() if as_of != current)
        run = publish(other, serving, str(step))
        if run.returncode == 0:
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        killed += 1
        step += 1
        assert step < 400
    assert killed >= 10
    assert assert_whole(read_publication(serving), expected) == other.as_of
    assert leftovers(serving) == []
    assert len(publication_folders(serving)) <= 2


def test_killed_publishes_leave_nothing_and_pruning_keeps_current_and_previous(
    days: Days, tmp_path: Path
) -> None:
    serving = tmp_path / "serving"
    folders = []
    for built in (days.before, days.after):
        assert publish(built, serving).returncode == 0
        folders.append(Path(os.path.realpath(serving / "parquet" / "current")))
    first, previous = folders
    # a publish killed at its first fsync (a partial publication), then one killed at its
    # first rename, then a complete one
    for kill_at in ("fsync:1", "replace:1"):
        killed = publish(days.before, serving, kill_at)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert publish(days.before, serving).returncode == 0
    current = Path(os.path.realpath(serving / "parquet" / "current"))
    assert current not in folders
    # the current and the previous complete publication are kept, whole; the older one is gone
    assert publication_folders(serving) == {current, previous}
    assert leftovers(serving) == []
    assert not first.exists()
    assert sorted(p.name for p in previous.glob("*.parquet")) == sorted(
        p.name for p in current.glob("*.parquet")
    )
    assert read_publication(serving).as_of_duckdb == days.before.as_of


INVOCATION = (
    "'i-2', 'build', null, 9, 0, true, timestamp '2026-10-01 02:00', timestamp '2026-10-01 02:09'"
)


@pytest.mark.parametrize(
    ("newest", "run_results_id", "message"),
    [
        (None, "i-2", "records no dbt invocation (ops.dbt_invocations is missing or empty)"),
        (INVOCATION.replace("'build'", "'run'"), "i-2", "was `dbt run`, not `dbt build`"),
        (INVOCATION.replace("timestamp '2026-10-01 02:09'", "null"), "i-2", "never finished"),
        (INVOCATION.replace("0, true", "1, false"), "i-2", "failed (1 nodes did not succeed)"),
        (INVOCATION.replace("null", '\'{"select": ["x"]}\'', 1), "i-2", "only a selection"),
        (INVOCATION, "i-1", "run_results.json is from invocation i-1, not from the last"),
    ],
    ids=["no_record", "not_a_build", "unfinished", "failed", "selection", "other_run_results"],
)
def test_the_build_check_says_why_it_refuses(
    tmp_path: Path, newest: str | None, run_results_id: str, message: str
) -> None:
    from segwarehouse.tools.publish import PublishError, check_last_build

    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    if newest is not None:
        con.execute("create schema ops")
        con.execute(
            "create table ops.dbt_invocations (invocation_id varchar, command varchar, "
            "node_selection varchar, result_count integer, failed_count integer, "
            "is_success boolean, started_at timestamp, finished_at timestamp)"
        )
        con.execute(
            "insert into ops.dbt_invocations values ('i-1', 'build', null, 9, 0, true, "
            f"timestamp '2026-10-01 01:00', timestamp '2026-10-01 01:09'), ({newest})"
        )
    con.close()
    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        f'{{"metadata": {{"invocation_id": "{run_results_id}"}}, "results": []}}'
    )
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as warehouse (read_only)")
    with pytest.raises(PublishError, match=re.escape(message)):
        check_last_build(con, warehouse, run_results)
    con.close()


# ---------------------------------------------------------------- a killed build


def test_a_build_killed_mid_run_is_not_published_until_rerun(days: Days, tmp_path: Path) -> None:
    built = _copy(days.after, tmp_path / "work")
    serving = tmp_path / "serving"
    assert publish(built, serving).returncode == 0
    published = read_publication(serving)
    # the next build is killed once it has rebuilt part of the warehouse
    dbt_killed_when(
        BUILD_ARGS, days.raw, built, [r"OK created sql table model marts.customer_features"]
    )
    refused = publish(built, serving)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "never finished: it was killed or crashed mid-run" in refused.stderr
    assert "Run `dbt build` again: nothing published" in refused.stderr
    assert read_publication(serving) == published
    # nor after Ctrl-C, whose run_results.json lists only the nodes that succeeded before it
    dbt_killed_when(
        BUILD_ARGS,
        days.raw,
        built,
        [r"OK created sql table model marts.customer_features"],
        signal.SIGINT,
    )
    refused = publish(built, serving)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "never finished: it was killed or crashed mid-run" in refused.stderr
    # a build of a selection does not complete it either
    partial = dbt(["build", *NO_TESTS, "--select", "segments"], days.raw, built.warehouse,
                  built.warehouse.parent, artifacts=True)  # fmt: skip
    assert partial.returncode == 0, partial.output[-3000:]
    refused = publish(built, serving)
    assert refused.returncode == 1
    assert 'built only a selection ({"select": ["segments"]})' in refused.stderr
    # a full rerun does
    rerun = dbt(
        BUILD_ARGS, days.raw, built.warehouse, built.warehouse.parent, as_of=DAY, artifacts=True
    )
    assert rerun.returncode == 0, rerun.output[-3000:]
    done = publish(built, serving)
    assert done.returncode == 0, done.stderr
    assert read_publication(serving) == published  # same data, published again


# ---------------------------------------------------------------- a killed build, rerun


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ?",
            [catalog],
        ).fetchall()
    } - IGNORED_RELATIONS


def views(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str]:
    return dict(
        con.execute(
            "select schema_name || '.' || view_name, sql from duckdb_views() "
            "where database_name = ? and not internal",
            [catalog],
        ).fetchall()
    )


def differences(reference: Path, warehouse: Path) -> dict[str, object]:
    """Relations present in one warehouse only, tables whose rows differ (as multisets, `except
    all` both ways), views whose definitions differ (their rows follow from the tables)."""
    con = duckdb.connect()
    con.execute(f"attach '{reference}' as expected (read_only)")
    con.execute(f"attach '{warehouse}' as got (read_only)")
    found: dict[str, object] = {}
    expected, got = tables(con, "expected"), tables(con, "got")
    if expected != got:
        found["tables"] = {"missing": expected - got, "extra": got - expected}
    if views(con, "expected") != views(con, "got"):
        found["views"] = sorted(
            set(views(con, "expected").items()) ^ set(views(con, "got").items())
        )
    for relation in sorted(expected & got):
        a, b = f"expected.{relation}", f"got.{relation}"
        diff = con.execute(
            f"select (select count(*) from (from {a} except all from {b})),"
            f" (select count(*) from (from {b} except all from {a}))"
        ).fetchall()[0]
        if diff != (0, 0):
            found[relation] = {"only_in_reference": diff[0], "only_after_rerun": diff[1]}
    con.close()
    return found


# the moments a build is killed at (regexes its --debug output matches in turn), two builds
# killed one after the other before each rerun
KILLS = {
    "after_the_events_base_loaded_then_after_a_delete_pre_hook": [
        [r"OK created sql incremental model staging\.base_tracking__events"],
        [r'delete from "\w+"\."intermediate"\."int_events_attributed"', r"SQL status: OK"],
    ],
    "after_a_table_commit_then_in_a_snapshot": [
        # committed, its __dbt_backup not dropped yet
        [r"On model\.segwarehouse\.customer_features: COMMIT", r"SQL status: OK"],
        [r"START snapshot history\.segment_history"],
    ],
}


@pytest.mark.parametrize("kills", KILLS)
def test_a_build_killed_at_any_moment_then_rerun_gives_the_same_warehouse(
    days: Days, tmp_path: Path, kills: str
) -> None:
    built = _copy(days.before, tmp_path / "rerun")
    for moment in KILLS[kills]:
        dbt_killed_when(BUILD_ARGS, days.raw, built, moment)
    assert differences(days.after.warehouse, built.warehouse) != {}  # half rebuilt
    rerun = dbt(
        BUILD_ARGS, days.raw, built.warehouse, built.warehouse.parent, as_of=DAY, artifacts=True
    )
    assert rerun.returncode == 0, rerun.output[-3000:]
    assert differences(days.after.warehouse, built.warehouse) == {}
    # and the identity file too (written without a WAL: its last checkpoint, rebuilt whole)
    after, rerun_identity = (
        identity_path(days.after.warehouse, {}),
        identity_path(built.warehouse, {}),
    )
    assert differences(after, rerun_identity) == {}
