"""The warehouse's business-date history, and rolling it back to an earlier day.

    python -m segwarehouse.tools.history rollback --to 2026-09-28 [--warehouse warehouse.duckdb]

History is written one business date at a time, in date order (macro assert_history_in_order):
the snapshots in schema history and the incremental models that accumulate by business date.
Rolling back to day TO leaves it as the runs up to TO left it, in one transaction (a crash
leaves the previous state), so the runs for TO and the days after it are accepted again:

- snapshots: versions opened after TO are deleted, versions closed after TO are reopened;
- segment_kpis_daily and data_quality_daily: the rows of days after TO are deleted;
- segment_qualifications (kept up to date in place) is restored from its snapshot
  history.segment_qualifications_history as of TO; a qualification the snapshot records as
  "on the day of the run" is dated the last business day run up to TO (the latest day left in
  the snapshots and the daily KPIs), TO itself when TO was run.

Customers purged under a verified deletion request stay purged. The other incremental models
need nothing: a run for an earlier day reprocesses the days after it (incremental_window_start).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

SNAPSHOTS = (
    "history.segment_history",
    "history.customer_features_history",
    "history.segment_registry_history",
    "history.segment_qualifications_history",
)
# incremental state kept in place; restored from its snapshot
TRACKED = "marts.segment_qualifications"
TRACKED_SNAPSHOT = "history.segment_qualifications_history"
# incremental rows per business date: (relation, date column)
DAILY = (
    ("marts.segment_kpis_daily", "kpi_date"),
    ("marts.data_quality_daily", "as_of_date"),
)
# all of the history: dropped by make simulate before day 1 unless --keep-history
HISTORY_RELATIONS = (*SNAPSHOTS, TRACKED, *(relation for relation, _ in DAILY))
SNAPSHOT_COLUMNS = "dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to"


class RollbackError(Exception):
    """The history cannot be rolled back as asked; nothing was changed."""


@dataclass
class Change:
    relation: str
    deleted: int = 0
    reopened: int = 0
    restored: int = 0

    def __str__(self) -> str:
        done = [f"{self.deleted:,} rows deleted"]
        if self.reopened:
            done.append(f"{self.reopened:,} versions reopened")
        if self.restored:
            done.append(f"{self.restored:,} rows restored")
        return f"{self.relation}: {', '.join(done)}"


def business_date(text: str, name: str = "--to") -> dt.date:
    """A calendar date written YYYY-MM-DD, or an error naming the argument and the value."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{name} must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), got '{text}'"
        ) from None


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, table = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    return int(con.execute(sql, params or []).fetchall()[0][0])


def last_run_day(con: duckdb.DuckDBPyConnection, snapshots: list[str]) -> dt.date | None:
    """The last business day recorded: a run writes new versions of customer_features (its
    recency changes daily) and a row per segment in segment_kpis_daily."""
    days = [
        con.execute(f"select cast(max(dbt_valid_from) as date) from {relation}").fetchall()[0][0]
        for relation in snapshots
    ]
    days += [
        con.execute(f"select max({column}) from {relation}").fetchall()[0][0]
        for relation, column in DAILY
        if relation_exists(con, relation)
    ]
    return max((day for day in days if day is not None), default=None)


def rollback(con: duckdb.DuckDBPyConnection, to: dt.date) -> list[Change]:
    """Roll the history on `con` back to the end of business day `to`, in one transaction."""
    day = dt.datetime.combine(to, dt.time())
    snapshots = [relation for relation in SNAPSHOTS if relation_exists(con, relation)]
    first_days = [
        con.execute(f"select cast(min(dbt_valid_from) as date) from {relation}").fetchall()[0][0]
        for relation in snapshots
    ]
    first_days = [first for first in first_days if first is not None]
    if first_days and to < min(first_days):
        raise RollbackError(
            f"the history starts on {min(first_days)}: nothing is recorded on or before {to}. "
            "To start it afresh, reset it (python -m segwarehouse.tools.simulate resets it)."
        )
    if relation_exists(con, TRACKED) and _count(con, f"select count(*) from {TRACKED}"):
        if TRACKED_SNAPSHOT not in snapshots:
            raise RollbackError(
                f"{TRACKED} cannot be rolled back: {TRACKED_SNAPSHOT} does not exist "
                "(build once to start it, or reset the history)."
            )
        first = con.execute(
            f"select cast(min(dbt_valid_from) as date) from {TRACKED_SNAPSHOT}"
        ).fetchall()[0][0]
        if first is None or to < first:
            raise RollbackError(
                f"{TRACKED} cannot be rolled back to {to}: its history {TRACKED_SNAPSHOT} "
                f"starts on {first}."
            )
    changes = []
    con.execute("begin transaction")
    try:
        for relation in snapshots:
            change = Change(relation)
            change.deleted = _count(con, f"delete from {relation} where dbt_valid_from > ?", [day])
            change.reopened = _count(
                con, f"update {relation} set dbt_valid_to = null where dbt_valid_to > ?", [day]
            )
            changes.append(change)
        for relation, column in DAILY:
            if relation_exists(con, relation):
                deleted = _count(con, f"delete from {relation} where {column} > ?", [to])
                changes.append(Change(relation, deleted=deleted))
        if relation_exists(con, TRACKED) and TRACKED_SNAPSHOT in snapshots:
            change = Change(TRACKED)
            change.deleted = _count(con, f"delete from {TRACKED}")
            # the snapshot records a qualification on the day of the run as null
            change.restored = _count(
                con,
                f"insert into {TRACKED} by name "
                f"select * exclude ({SNAPSHOT_COLUMNS}, last_qualified_before_date), "
                "coalesce(last_qualified_before_date, ?) as last_qualified_date "
                f"from {TRACKED_SNAPSHOT} where dbt_valid_to is null",
                [last_run_day(con, snapshots) or to],
            )
            changes.append(change)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segwarehouse.tools.history", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    back = commands.add_parser("rollback", help="roll the history back to the end of a day")
    back.add_argument("--to", type=business_date, required=True, help="last day kept")
    back.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb")),
        help="the DuckDB file (default: env DBT_DUCKDB_PATH, else warehouse.duckdb)",
    )
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"history rollback: {args.warehouse} does not exist", file=sys.stderr)
        return 1
    try:
        con = duckdb.connect(str(args.warehouse))
    except duckdb.IOException as error:
        print(f"history rollback: cannot open {args.warehouse}: {error}", file=sys.stderr)
        return 1
    try:
        changes = rollback(con, args.to)
    except RollbackError as error:
        print(f"history rollback: {error} Nothing was changed.", file=sys.stderr)
        return 1
    finally:
        con.close()
    for change in changes:
        print(change)
    print(f"history rolled back to {args.to}: the next run may be as of {args.to} or later")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
