"""Build N consecutive business days of history on the raw data, the way daily runs would.

    python -m segwarehouse.tools.simulate --days 30 [--end 2026-09-30] [--keep-history]

Each day is one `dbt build` with the environment variable SEGWAREHOUSE_AS_OF=<day>, like
`--vars '{as_of: <day>}'` but parsed once, not every day. Data tests run on the last day only,
unless --test-every-day (or --no-tests). History is keyed to the business date, so the days
must run in order: by default the history (segwarehouse.tools.history.HISTORY_RELATIONS: the
snapshots, the incremental segment state and the daily KPIs) is reset first, which makes a
second simulation of the same days write exactly the same history. To keep the days before a
given day instead, roll the history back (python -m segwarehouse.tools.history rollback --to
YYYY-MM-DD).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import duckdb
from tqdm import tqdm

from segwarehouse.tools.history import (
    HISTORY_RELATIONS,  # dropped before day 1 unless --keep-history
)

AS_OF_ENV = "SEGWAREHOUSE_AS_OF"  # read by the project's macro _as_of_var


def default_end(raw_dir: Path) -> dt.date:
    """The generator's last day (ground_truth.json), for the demo data."""
    truth = raw_dir / "ground_truth.json"
    if not truth.exists():
        raise SystemExit(f"{truth} not found: pass --end YYYY-MM-DD for your own data")
    return dt.date.fromisoformat(json.loads(truth.read_text())["args"]["end_date"])


def reset_history(warehouse: Path) -> None:
    if not warehouse.exists():
        return
    con = duckdb.connect(str(warehouse))
    try:
        for relation in HISTORY_RELATIONS:
            con.execute(f"drop table if exists {relation}")
    finally:
        con.close()


def release_warehouse() -> None:
    """Close the warehouse file this process's dbt adapter keeps open, so that DuckDB can open
    it read-only here (the next dbt call opens it again)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None


def _query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of a query on the warehouse just built, read directly (no dbt parse)."""
    release_warehouse()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="number of business days")
    parser.add_argument("--end", type=dt.date.fromisoformat, help="last business day")
    parser.add_argument(
        "--keep-history", action="store_true", help="append to the existing history"
    )
    tests = parser.add_mutually_exclusive_group()
    tests.add_argument("--test-every-day", action="store_true", help="run data tests daily")
    tests.add_argument(
        "--no-tests",
        action="store_true",
        help="run no data or unit tests, not even on the last day",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    from dbt.cli.main import dbtRunner

    raw_dir = Path(os.environ.get("RAW_DATA_DIR", "data/raw"))
    warehouse = Path(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb"))
    end = args.end or default_end(raw_dir)
    days = [end - dt.timedelta(days=offset) for offset in range(args.days - 1, -1, -1)]
    if not args.keep_history:
        reset_history(warehouse)
    runner = dbtRunner()
    # what each day's segment_membership held, for checks against marts built later; with
    # --keep-history, after the days the report already holds
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    report_path = target / "simulate_report.json"
    report: dict[str, dict[str, int]] = {}
    if args.keep_history and report_path.exists():
        kept = json.loads(report_path.read_text())["membership_counts"]
        report = {day: counts for day, counts in kept.items() if day < days[0].isoformat()}
    started = time.perf_counter()
    progress = tqdm(days, unit="day", disable=args.no_progress, file=sys.stderr)
    for position, day in enumerate(progress):
        progress.set_description(f"as_of {day}")
        os.environ[AS_OF_ENV] = day.isoformat()
        command = ["build", "--quiet"]
        last = position == len(days) - 1
        if args.no_tests or not (last or args.test_every_day):
            command += ["--exclude-resource-type", "test", "unit_test"]
        result = runner.invoke(command)
        if not result.success:
            print(f"simulate: dbt build failed for as_of {day}", file=sys.stderr)
            return 1
        counts = _query(
            warehouse,
            "select segment_id, count(*) from marts.segment_membership group by 1 order by 1",
        )
        report[day.isoformat()] = {str(segment): int(members) for segment, members in counts}
    elapsed = time.perf_counter() - started
    rows = int(_query(warehouse, "select count(*) from history.segment_history")[0][0])
    target.mkdir(parents=True, exist_ok=True)
    report_path.write_text(
        json.dumps({"membership_counts": report}, indent=2, sort_keys=True) + "\n"
    )
    print(
        f"simulated {len(days)} days ({days[0]} .. {days[-1]}) in {elapsed:.0f} s; "
        f"segment_history holds {rows:,} rows"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
