"""The staging layer on generated raw data with 5% defects in every table: the build passes,
every raw row is accounted for, and each kind of defect is caught where it should be."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import Build, Project, dbt, generate
from warehouse import connect, raw_reader, scalar

from segwarehouse.generate.util import move_deliveries

# raw table -> (staging model, quarantine log)
RAW_TABLES = {
    "customers": ("stg_shop__customers", "stg_shop__quarantined_rows"),
    "products": ("stg_shop__products", "stg_shop__quarantined_rows"),
    "orders": ("stg_shop__orders", "stg_shop__quarantined_rows"),
    "order_items": ("stg_shop__order_items", "stg_shop__quarantined_rows"),
    "returns": ("stg_shop__returns", "stg_shop__quarantined_rows"),
    "events": ("stg_tracking__events", "stg_tracking__quarantined_rows"),
    "consent_events": ("stg_privacy__consent_events", "stg_privacy__quarantined_rows"),
    "deletion_requests": ("stg_privacy__deletion_requests", "stg_privacy__quarantined_rows"),
    "survey_responses": ("stg_survey__survey_responses", "stg_survey__quarantined_rows"),
}


def test_build_with_defects_passes_every_data_test(bad_build: Build) -> None:
    assert bad_build.result.returncode == 0, bad_build.result.output[-4000:]
    assert "rows_reconcile" in bad_build.result.output
    assert "ERROR=0" in bad_build.result.output
    # the defect rate is abnormal, and said so (warned: the fixture sets reject_share_severity)
    assert "Abnormal reject share in raw table shop.orders" in bad_build.result.output


@pytest.mark.parametrize("table", sorted(RAW_TABLES))
def test_every_raw_row_is_staged_quarantined_or_a_duplicate(
    project: Project, bad_build: Build, table: str
) -> None:
    model, log = RAW_TABLES[table]
    staged_sql = f"select count(*) from staging.{model}"
    if model == "stg_privacy__deletion_requests":  # ephemeral (never stored): compiled inline
        # compiled before connecting: dbt opens the warehouse read-write
        staged_sql = project.render(
            build=bad_build, sql=f"select count(*) from {{{{ ref('{model}') }}}}"
        )
    con = connect(bad_build.warehouse)
    raw = scalar(con, f"select count(*) from {raw_reader(bad_build.raw_dir, table)}")
    staged = scalar(con, staged_sql)
    by_disposition = dict(
        con.execute(
            f"select disposition, count(*) from staging.{log} "
            f"where source_table = '{table}' group by 1"
        ).fetchall()
    )
    quarantined = by_disposition.get("quarantined", 0)
    duplicates = by_disposition.get("duplicate", 0)
    # every raw row not staged is logged once under one disposition (issue 13 split the old
    # 'duplicate' into exact copies, superseded versions and conflicts, and added erasures);
    # repaired and flagged rows are staged and logged besides
    not_staged = sum(
        by_disposition.get(kind, 0)
        for kind in ("quarantined", "duplicate", "superseded", "conflict", "deleted_customer")
    )
    assert raw == staged + not_staged, (raw, staged, by_disposition)
    # defects were injected into every table (defects.json counts them by kind): where the
    # generator injected duplicates or invalid rows, some must have been caught.
    injected = json.loads((bad_build.raw_dir / "defects.json").read_text()).get(table, {})
    if sum(count for kind, count in injected.items() if kind != "duplicate"):
        assert quarantined > 0, f"no {table} row quarantined"
    # (in a table of a dozen rows the generator may duplicate a row it also made invalid: both
    # copies are then quarantined, which the reconciliation above already accounts for)
    if injected.get("duplicate") and raw >= 100:
        assert duplicates > 0, f"no {table} duplicate removed"


def test_duplicates_injected_are_removed(bad_build: Build) -> None:
    defects = json.loads((bad_build.raw_dir / "defects.json").read_text())
    con = connect(bad_build.warehouse)
    for table, (_, log) in RAW_TABLES.items():
        injected = defects.get(table, {}).get("duplicate", 0)
        removed = scalar(
            con,
            f"select count(*) from staging.{log} where source_table = '{table}' "
            "and disposition in ('duplicate', 'superseded', 'quarantined', 'deleted_customer')",
        )
        assert removed >= injected, (table, removed, injected)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ("customers", "missing customer_id"),
        ("orders", "missing order_id"),
        ("orders", "unknown customer_id"),
        ("orders", "unparseable ordered_at"),
        ("orders", "future ordered_at"),
        ("orders", "negative"),
        ("orders", "absurd"),
        ("orders", "unexpected order_status"),
        ("order_items", "unknown order_id"),
        ("order_items", "quantity out of range"),
        ("returns", "unknown order_id"),
        ("events", "missing event_id"),
        ("events", "unexpected event_type"),
        ("events", "future event_at"),
        ("events", "event_at after received_at"),
        ("consent_events", "unknown customer_id"),
        ("consent_events", "unexpected consent_purpose"),
        ("deletion_requests", "unknown customer_id"),
        ("survey_responses", "unknown customer_id"),
    ],
)
def test_defect_kind_is_quarantined_with_its_reason(
    bad_build: Build, table: str, needle: str
) -> None:
    _, log = RAW_TABLES[table]
    con = connect(bad_build.warehouse)
    hits = scalar(
        con,
        f"select count(*) from staging.{log} where source_table = '{table}' "
        f"and disposition = 'quarantined' and reason like '%{needle}%'",
    )
    assert hits > 0, f"no {table} row quarantined for '{needle}'"


def test_junk_identifiers_never_become_a_customer(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    junk = ("", "null", "unknown", "n/a", "0", "-1", "anonymous")
    raw = raw_reader(bad_build.raw_dir, "customers")
    junk_rows = scalar(
        con,
        f"select count(*) from {raw} where lower(trim(customer_id)) in {junk} "
        "or customer_id is null",
    )
    assert junk_rows > 0, "the generator injected no junk customer ids"
    staged_ids = scalar(
        con,
        "select count(*) from restricted.stg_shop__customer_identities "
        f"where lower(customer_id) in {junk}",
    )
    assert staged_ids == 0
    # And no order or event hangs on a key that a junk id would hash to.
    orphans = scalar(
        con,
        "select count(*) from staging.stg_shop__orders as o "
        "anti join staging.stg_shop__customers as c on o.customer_key = c.customer_key",
    )
    assert orphans == 0


def test_malformed_emails_are_nulled_not_dropped(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    invalid = scalar(
        con, "select count(*) from staging.stg_shop__customers where not has_valid_email"
    )
    logged = scalar(
        con,
        "select count(*) from staging.stg_shop__quarantined_rows "
        "where disposition = 'repaired' and reason like '%malformed email%'",
    )
    assert invalid > 0
    assert logged > 0
    assert logged <= invalid


def test_conflicting_consent_at_the_same_instant_is_kept_for_resolution(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    conflicts = scalar(
        con,
        "select count(*) from (select customer_key, consent_purpose, recorded_at "
        "from staging.stg_privacy__consent_events group by all "
        "having count(distinct consent_status) > 1)",
    )
    assert conflicts > 0


def test_latest_order_version_wins(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    raw = f"read_parquet('{bad_build.raw_dir}/orders.parquet', filename = true, file_row_number = true)"
    stale = scalar(
        con,
        f"""
        with valid_raw as (
            select r.order_id, try_cast(r.updated_at as timestamp) as updated_at
            from {raw} as r
            anti join staging.stg_shop__quarantined_rows as q
                on q.source_file = r.filename and q.source_row_number = r.file_row_number
                and q.disposition = 'quarantined'
        )
        select count(*) from staging.stg_shop__orders as s
        inner join valid_raw on valid_raw.order_id = s.order_id
        where valid_raw.updated_at > s.updated_at
        """,
    )
    assert stale == 0
    updated = scalar(
        con,
        f"select count(*) from (select order_id from {raw} group by 1 "
        "having count(distinct updated_at) > 1)",
    )
    assert updated > 0, "the generator made no order updates to choose between"


# --- daily event deliveries, loaded incrementally -----------------------------------------------

TRACKING = [
    "build", "-s", "+stg_tracking__events", "+stg_tracking__quarantined_rows",
    "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
]  # fmt: skip


def _base_rows(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("select * from staging.base_tracking__events order by all").fetchall()
    con.close()
    return rows


def _copy_rows(source: Path, target: Path, sql_select: str) -> None:
    reader = f"read_parquet('{source}', hive_partitioning = false)"
    con = duckdb.connect()
    con.execute(f"copy ({sql_select.format(src=reader)}) to '{target}' (format parquet)")
    con.close()


@pytest.mark.build
def test_event_deliveries_are_loaded_once_as_they_land(tmp_path: Path) -> None:
    raw = generate(tmp_path / "raw", customers=300, days=20, seed=13, bad_rate=0.02)
    folders = sorted((raw / "events").glob("delivered_date=*"))
    days = [date.fromisoformat(folder.name.split("=")[1]) for folder in folders]
    held = tmp_path / "held"
    assert len(move_deliveries(raw / "events", held, after=days[-4])) == 3
    daily = tmp_path / "daily.duckdb"

    def build(warehouse: Path = daily, *extra: str) -> str:
        result = dbt([*TRACKING, *extra], raw, warehouse, tmp_path)
        assert result.returncode == 0, result.output[-3000:]
        return result.output

    build()
    before = len(_base_rows(daily))
    assert len(move_deliveries(held, raw / "events", through=days[-3])) == 1
    build()
    assert len(move_deliveries(held, raw / "events")) == 2  # two days land at once
    build()
    loaded = _base_rows(daily)
    assert before < len(loaded)
    build()  # re-running the day reads no file twice
    assert _base_rows(daily) == loaded

    full = tmp_path / "full.duckdb"
    build(full)
    assert _base_rows(full) == loaded  # daily loads = one full load, row for row

    # a later delivery repeating events already staged: duplicates, logged, nothing lost
    first_file = next(folders[0].glob("*.parquet"))
    con = connect(daily)
    staged_ids = [
        row[0]
        for row in con.execute(
            "select event_id from staging.stg_tracking__events "
            f"where delivered_date = '{folders[0].name.split('=')[1]}' order by 1 limit 5"
        ).fetchall()
    ]
    con.close()
    assert len(staged_ids) == 5
    _copy_rows(
        first_file,
        folders[-1] / "part-00001.parquet",
        "select * from {src} where event_id in ("
        + ", ".join(f"'{i}'" for i in staged_ids)
        + ") qualify row_number() over (partition by event_id) = 1",
    )
    build()
    con = connect(daily)
    repeated = con.execute(
        "select disposition, count(*) from staging.stg_tracking__quarantined_rows "
        "where source_file like '%part-00001.parquet' group by 1"
    ).fetchall()
    assert repeated == [("duplicate", 5)]
    assert scalar(con, "select count(*) from staging.stg_tracking__events") == scalar(
        con, "select count(*) from (select distinct event_id from staging.stg_tracking__events)"
    )
    con.close()

    # a file delivered late into a folder older than the lookback is not listed: the
    # reconciliation with the raw files fails loudly; a full refresh loads it
    _copy_rows(
        first_file,
        folders[0] / "part-00001.parquet",
        "select * replace (event_id || '-late' as event_id) from {src} limit 4",
    )
    result = dbt(TRACKING, raw, daily, tmp_path)
    assert result.returncode != 0
    assert "rows_reconcile_stg_tracking__events" in result.output
    build(daily, "--full-refresh")
    assert len(_base_rows(daily)) == len(loaded) + 5 + 4


def test_the_data_quality_mart_counts_every_raw_table_as_it_arrived(bad_build: Build) -> None:
    """marts.data_quality_daily: each table's raw rows equal the rows in its raw files, and its
    logged rows per disposition equal the quarantine log's; a share is logged / raw."""
    con = connect(bad_build.warehouse)
    as_of = scalar(con, "select max(as_of_date) from marts.data_quality_daily")
    for table, (_, log) in RAW_TABLES.items():
        raw = scalar(con, f"select count(*) from {raw_reader(bad_build.raw_dir, table)}")
        rows = con.execute(
            "select disposition, logged_rows, raw_rows, share_of_raw_rows "
            "from marts.data_quality_daily where source_table = ? and as_of_date = ?",
            [table, as_of],
        ).fetchall()
        assert rows, table
        assert {raw_rows for _, _, raw_rows, _ in rows} == {raw}, table
        for _, logged, raw_rows, share in rows:
            assert share == pytest.approx(logged / raw_rows), table
        mart = {}
        for disposition, logged, _, _ in rows:
            mart[disposition] = mart.get(disposition, 0) + logged
        expected = dict(
            con.execute(
                f"select disposition, count(*) from staging.{log} "
                f"where source_table = '{table}' group by 1"
            ).fetchall()
        )
        assert mart == (expected or {"clean": 0}), table
    con.close()
