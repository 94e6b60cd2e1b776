"""The business date guard and the history rollback (issue 13, defect 5): an impossible or
future as_of is refused before anything is written, and `python -m segwarehouse.tools.history
rollback` brings the history back to an earlier day, after which the days after it can be
built again, to the same history."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import KEPT, MODELS_ONLY, ROOT, START, DbtResult, Simulation, dbt, generate, simulate
from warehouse import add_withdrawal

from segwarehouse.tools import history
from segwarehouse.tools.cli_vars import VarsError, check

END = date(2026, 9, 30)  # the generator's last day
EARLIER = END - timedelta(days=4)
# the days rolled back to (KEPT) and after it, in the session simulation (conftest)
AFTER_KEPT = [KEPT + timedelta(days=offset) for offset in range(1, (END - KEPT).days + 1)]
AFTER = END + timedelta(days=1)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("history_raw") / "raw",
        customers=1500,
        days=60,
        seed=3,
        bad_rate=0.0,
    )


def build(
    day: date | str, raw: Path, warehouse: Path, via: str = "env", **variables: object
) -> DbtResult:
    """`dbt build` of the models as of `day`, given by the environment variable (the daily
    job's way, `via="env"`) or by the var as_of (`via="var"`)."""
    if via == "var":
        variables = {"as_of": str(day), **variables}
    args = ["build", *MODELS_ONLY, *(["--vars", json.dumps(variables)] if variables else [])]
    return dbt(args, raw, warehouse, warehouse.parent, as_of=day if via == "env" else None)


def tables(warehouse: Path) -> list[str]:
    if not warehouse.exists():
        return []
    con = duckdb.connect(str(warehouse), read_only=True)
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables order by 1"
    ).fetchall()
    con.close()
    return [name for (name,) in names]


# ---------------------------------------------------------------- an invalid as_of


GIVEN_AS = {"var": "dbt var as_of", "env": "environment variable SEGWAREHOUSE_AS_OF"}


@pytest.mark.parametrize("via", GIVEN_AS)
def test_an_impossible_as_of_fails_naming_the_var_before_anything_is_built(
    raw: Path, tmp_path: Path, via: str
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    result = build("2026-02-30", raw, warehouse, via=via)
    assert result.returncode != 0
    assert (
        f"{GIVEN_AS[via]} must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), "
        "got '2026-02-30'" in result.output
    )
    assert tables(warehouse) == []


def test_an_as_of_given_twice_must_agree(raw: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    result = dbt(
        ["build", *MODELS_ONLY, "--vars", json.dumps({"as_of": str(END)})],
        raw, warehouse, tmp_path, as_of=EARLIER,
    )  # fmt: skip
    assert result.returncode != 0
    assert (
        f"dbt var as_of is {END} but environment variable SEGWAREHOUSE_AS_OF is {EARLIER}: "
        "give the business date once, or the same in both" in result.output
    )
    assert tables(warehouse) == []


@pytest.mark.parametrize(
    "text", ["{as_of: 2026-13-45}", "{as_of: 2026-02-30}", "{days: [1, 2026-04-31]}"]
)
def test_an_unquoted_impossible_date_in_vars_is_named(text: str) -> None:
    """dbt itself reads these as YAML dates and stops with a traceback naming no var."""
    key, value = text.strip("{}").split(": ", 1)
    value = value.strip("[]").split(", ")[-1]
    with pytest.raises(
        VarsError, match=f"^dbt var {key} must be a calendar date .* got '{value}'$"
    ):
        check(text)


def test_valid_or_quoted_vars_pass_the_cli_check() -> None:
    for text in ("{}", "{as_of: 2026-09-30}", "{as_of: '2026-13-45'}", "not: [yaml"):
        check(text)  # a quoted value is checked by the project (macro _as_of_var)


# ---------------------------------------------------------------- an as_of after the raw data


@pytest.mark.parametrize("via", GIVEN_AS)
def test_an_as_of_after_the_raw_data_is_refused_before_anything_is_built(
    raw: Path, tmp_path: Path, via: str
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    result = build(AFTER, raw, warehouse, via=via)
    assert result.returncode != 0
    assert (
        f"{GIVEN_AS[via]} is {AFTER}, but the newest date in the raw data is {END} ("
        in result.output
    )
    assert "add allow_as_of_after_raw_data: true to --vars" in result.output
    assert tables(warehouse) == []


def test_a_junk_future_timestamp_does_not_cover_a_future_as_of(raw: Path, tmp_path: Path) -> None:
    """A raw row dated 2099 (quarantined as future by staging) or a delivery folder named for
    2099 is not data for the guard."""
    junk = tmp_path / "raw"
    shutil.copytree(raw, junk)
    add_withdrawal(junk, "C-JUNK", "2099-01-01 00:00:00")
    shutil.copytree(
        junk / "events" / f"delivered_date={END}", junk / "events" / "delivered_date=2099-01-01"
    )
    result = build(AFTER, junk, tmp_path / "warehouse.duckdb")
    assert result.returncode != 0
    assert f"the newest date in the raw data is {END} (" in result.output


def test_the_guard_can_be_overridden_deliberately(raw: Path, tmp_path: Path) -> None:
    result = dbt(
        ["seed", "--vars", json.dumps({"allow_as_of_after_raw_data": True})],
        raw, tmp_path / "warehouse.duckdb", tmp_path, as_of=AFTER,
    )  # fmt: skip
    assert result.returncode == 0, result.output[-3000:]
    assert "Building it anyway: var allow_as_of_after_raw_data is true." in result.output


def test_simulating_again_writes_the_same_history(raw: Path, tmp_path: Path) -> None:
    """Two simulations of the same last days (each resets the history first) write identical
    rows."""
    contents = []
    for name in ("first", "second"):
        warehouse = tmp_path / name / "warehouse.duckdb"  # in a folder of its own: the saved parse
        warehouse.parent.mkdir()
        result = simulate(raw, warehouse, 2, "--end", str(END), "--no-tests")
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        con = duckdb.connect(str(warehouse), read_only=True)
        contents.append(
            con.execute(
                "select count(*), sum(hash(customer_key, segment_id, dbt_valid_from, dbt_valid_to,"
                " experiment_arm, segment_version)) from history.segment_history"
            ).fetchall()
        )
        con.close()
    assert contents[0] == contents[1]
    assert contents[0][0][0] > 0


# ---------------------------------------------------------------- rolling history back


def history_differences(first: Path, second: Path) -> dict[str, tuple[int, int]]:
    """Per history relation: rows only in `first`, rows only in `second` (multisets)."""
    con = duckdb.connect()
    con.execute(f"attach '{first}' as first_db (read_only)")
    con.execute(f"attach '{second}' as second_db (read_only)")
    differences = {}
    for relation in history.HISTORY_RELATIONS:
        one, two = f"first_db.{relation}", f"second_db.{relation}"
        only_first = con.execute(
            f"select count(*) from (select * from {one} except all select * from {two})"
        ).fetchall()[0][0]
        only_second = con.execute(
            f"select count(*) from (select * from {two} except all select * from {one})"
        ).fetchall()[0][0]
        rows = con.execute(f"select count(*) from {one}").fetchall()[0][0]
        assert rows > 0, f"{relation} is empty in {first}"
        differences[relation] = (only_first, only_second)
    con.close()
    return differences


@pytest.fixture(scope="module")
def simulated(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session simulation (conftest: SIM_DAYS business days built in order, the daily job's
    way, one build a day) as it was after KEPT and after END, both copies."""
    end = tmp_path_factory.mktemp("history") / f"after-{END}.duckdb"
    shutil.copy(simulation.warehouse, end)
    return {str(KEPT): simulation.after_kept, str(END): end}


def rollback_cli(warehouse: Path, to: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "segwarehouse.tools.history", "rollback", "--to", to,
         "--warehouse", str(warehouse)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_an_as_of_after_the_data_writes_no_history(
    simulation: Simulation, simulated: dict[str, Path], tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(simulated[str(END)], copy)
    result = build(AFTER, simulation.raw_dir, copy)
    assert result.returncode != 0
    assert f"environment variable SEGWAREHOUSE_AS_OF is {AFTER}, but the newest date" in (
        result.output
    )
    assert history_differences(simulated[str(END)], copy) == {
        relation: (0, 0) for relation in history.HISTORY_RELATIONS
    }


def test_rollback_restores_the_history_of_the_day_and_the_days_after_rebuild_the_same(
    simulation: Simulation, simulated: dict[str, Path], tmp_path: Path
) -> None:
    raw = simulation.raw_dir
    # a deletion verified after KEPT purges the customer for good: not restorable by design
    verified_after = duckdb.sql(
        f"select count(*) from read_parquet('{raw}/deletion_requests.parquet') "
        f"where try_cast(verified_at as timestamp) >= date '{AFTER_KEPT[0]}'"
    ).fetchall()[0][0]
    assert verified_after == 0

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(simulated[str(END)], warehouse)
    rolled = rollback_cli(warehouse, str(KEPT))
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert f"history rolled back to {KEPT}" in rolled.stdout
    assert history_differences(simulated[str(KEPT)], warehouse) == {
        relation: (0, 0) for relation in history.HISTORY_RELATIONS
    }

    # KEPT (re-run) and the days after it
    days = 1 + len(AFTER_KEPT)
    result = simulate(raw, warehouse, days, "--end", str(END), "--no-tests", "--keep-history")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert history_differences(simulated[str(END)], warehouse) == {
        relation: (0, 0) for relation in history.HISTORY_RELATIONS
    }


def test_rollback_is_one_transaction(simulated: dict[str, Path], tmp_path: Path) -> None:
    """A failure after the snapshots were rolled back leaves every relation as it was."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(simulated[str(END)], warehouse)
    con = duckdb.connect(str(warehouse))
    failing = (("marts.segment_kpis_daily", "no_such_column"),)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history, "DAILY", failing)
        with pytest.raises(duckdb.BinderException):
            history.rollback(con, KEPT)
    con.close()
    assert history_differences(simulated[str(END)], warehouse) == {
        relation: (0, 0) for relation in history.HISTORY_RELATIONS
    }


def test_rollback_refuses_a_day_before_the_history(
    simulated: dict[str, Path], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(simulated[str(KEPT)], warehouse)
    before = str(START - timedelta(days=1))
    result = rollback_cli(warehouse, before)
    assert result.returncode == 1
    assert f"the history starts on {START}: nothing is recorded on or before {before}" in (
        result.stderr
    )
    result = rollback_cli(warehouse, "2026-02-30")
    assert result.returncode == 2
    assert (
        "--to must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), got '2026-02-30'"
        in (result.stderr)
    )
