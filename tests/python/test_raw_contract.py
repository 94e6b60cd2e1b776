"""The raw data contract: hand-made raw files that break it fail the build with a message naming
the file and column; optional tables may be absent; CSV input works; values are parsed right."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import DbtResult, Render
from warehouse import connect, scalar

from segwarehouse.tools import raw_contract_doc as doc

CUSTOMERS = """
select * from (values
    ('C1', 'ann.lee@example.com', 'Ann', 'Lee', 'US', 'CA', '2024-01-01T10:00:00Z', 'web', true, '2024-01-01 10:00:00'),
    ('C2', 'bob@example.com', 'Bob', 'Ray', 'DE', null, '2024-02-01 11:00:00+01:00', 'app', false, '2024-02-01 10:00:00'),
    ('C3', 'cy@example.com', 'Cy', 'Orr', 'GB', null, '2024-02-03 09:00:00', 'store', false, '2024-02-03 09:00:00'),
    ('', 'x1@example.com', 'X', 'One', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01'),
    ('null', 'x2@example.com', 'X', 'Two', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01'),
    ('Unknown', 'x3@example.com', 'X', 'Three', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01'),
    (' 0 ', 'x4@example.com', 'X', 'Four', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01'),
    ('-1', 'x5@example.com', 'X', 'Five', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01'),
    ('anonymous', 'x6@example.com', 'X', 'Six', 'US', 'NY', '2024-02-01', 'app', false, '2024-02-01')
) as t(customer_id, email, first_name, last_name, country_code, state_code, signup_at,
       signup_channel, is_loyalty_member, updated_at)
"""

ORDERS = """
select * from (values
    ('O1', 'C1', '2024-05-01 10:00:00', 'web', 'completed', 'USD', 100.0, 0.0, 5.0, 8.0, 113.0, null, false, null, '2024-05-02 10:00:00'),
    ('O2', 'C2', '2024-06-01 10:00:00', 'app', 'cancelled', 'EUR', 50.0, 5.0, 0.0, 0.0, 45.0, 'SAVE5', true, 'For Anna', '2024-06-02 10:00:00'),
    ('O3', 'unknown', '2024-06-01 10:00:00', 'app', 'completed', 'EUR', 50.0, 0.0, 0.0, 0.0, 50.0, null, false, null, '2024-06-02 10:00:00')
) as t(order_id, customer_id, ordered_at, channel, status, currency, subtotal_amount,
       discount_amount, shipping_amount, tax_amount, total_amount, discount_code, is_gift,
       gift_message, updated_at)
"""

ORDER_ITEMS = """
select * from (values
    ('OI1', 'O1', 'P1', 1, 100.0, 0.0, 100.0),
    ('OI2', 'O2', 'P1', 1, 50.0, 0.0, 50.0)
) as t(order_item_id, order_id, product_id, quantity, unit_price, discount_amount, line_amount)
"""


# the hand-made tables are a handful of rows, most of them junk on purpose: their reject share
# is abnormal by design, so it is warned about, not failed on (test_hostile_input covers that)
HAND_MADE = "{reject_share_severity: warn}"


def write_raw(
    raw: Path, overrides: dict[str, str | None] | None = None, fmt: str = "parquet"
) -> Path:
    """Write the three required tables (or the given SQL per table; None leaves it out)."""
    raw.mkdir(parents=True, exist_ok=True)
    tables = {"customers": CUSTOMERS, "orders": ORDERS, "order_items": ORDER_ITEMS}
    tables.update(overrides or {})
    con = duckdb.connect()
    for name, sql in tables.items():
        if sql is None:
            continue
        target = raw / f"{name}.{fmt}"
        options = "(format parquet)" if fmt == "parquet" else "(header true)"
        con.execute(f"copy ({sql}) to '{target}' {options}")
    return raw


Runner = Callable[..., DbtResult]

# the whole project on the hand-made files, with every data test; not the unit tests, whose
# given rows are the same whatever the raw files (the clean build runs them)
BUILD_ALL = ["build", "--exclude-resource-type", "unit_test", "--vars", HAND_MADE]
# the staging layer (and the seeds it reads) with its data tests: the only models that read the
# raw files (source() appears nowhere else), so the only ones a file format or layout can change
BUILD_STAGING = [
    "build", "--select", "+staging", "--indirect-selection", "cautious",
    "--exclude-resource-type", "unit_test", "--vars", HAND_MADE,
]  # fmt: skip


def test_only_required_tables_build_and_optional_ones_are_empty(
    tmp_path: Path, dbt_in: Runner
) -> None:
    raw = write_raw(tmp_path / "raw")
    result = dbt_in(BUILD_ALL, raw)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(tmp_path / "warehouse.duckdb")
    assert scalar(con, "select count(*) from staging.stg_tracking__events") == 0
    assert scalar(con, "select count(*) from staging.stg_privacy__consent_events") == 0
    assert scalar(con, "select count(*) from staging.stg_shop__customers") == 3
    assert scalar(con, "select count(*) from staging.stg_shop__orders") == 2


def test_values_are_parsed_to_utc_and_junk_ids_quarantined(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(tmp_path / "raw")
    result = dbt_in(["build", "--exclude-resource-type", "test", "unit_test"], raw)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(tmp_path / "warehouse.duckdb")
    signups = dict(
        con.execute(
            "select i.customer_id, strftime(c.signup_at, '%Y-%m-%d %H:%M:%S') "
            "from staging.stg_shop__customers as c "
            "inner join restricted.stg_shop__customer_identities as i using (customer_key)"
        ).fetchall()
    )
    assert signups == {
        "C1": "2024-01-01 10:00:00",
        "C2": "2024-02-01 10:00:00",  # +01:00 offset converted to UTC
        "C3": "2024-02-03 09:00:00",
    }
    reasons = con.execute(
        "select reason, count(*) from staging.stg_shop__quarantined_rows "
        "where disposition = 'quarantined' group by 1 order by 1"
    ).fetchall()
    assert reasons == [("missing customer_id", 7)]  # 6 junk customer ids + 1 order
    by_table = dict(
        con.execute(
            "select source_table, count(*) from staging.stg_shop__quarantined_rows group by 1"
        ).fetchall()
    )
    assert by_table == {"customers": 6, "orders": 1}
    order_reason = scalar(
        con, "select reason from staging.stg_shop__quarantined_rows where source_table = 'orders'"
    )
    assert order_reason == "missing customer_id"


def test_csv_input_gives_the_same_staging(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(tmp_path / "raw", fmt="csv")
    result = dbt_in(BUILD_STAGING, raw)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(tmp_path / "warehouse.duckdb")
    assert scalar(con, "select count(*) from staging.stg_shop__customers") == 3
    assert scalar(con, "select sum(total_amount) from staging.stg_shop__orders") == pytest.approx(
        158
    )


def test_missing_required_column_names_file_and_column(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(tmp_path / "raw", {"customers": f"select * exclude (email) from ({CUSTOMERS})"})
    result = dbt_in(["run", "--select", "stg_shop__customers"], raw)
    assert result.returncode != 0
    assert f"{raw}/customers.parquet" in result.output
    assert "required column 'email' is missing" in result.output


def test_unreadable_type_names_file_and_column(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(
        tmp_path / "raw",
        {"orders": f"select * replace (true as total_amount) from ({ORDERS})"},
    )
    result = dbt_in(["run", "--select", "stg_shop__orders"], raw)
    assert result.returncode != 0
    assert f"{raw}/orders.parquet" in result.output
    assert "column 'total_amount' has type BOOLEAN" in result.output


def test_missing_required_table_is_an_error(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(tmp_path / "raw", {"orders": None})
    result = dbt_in(["run", "--select", "stg_shop__orders"], raw)
    assert result.returncode != 0
    assert "Required raw table shop.orders not found" in result.output


def test_appended_files_in_a_table_folder_are_read(tmp_path: Path, dbt_in: Runner) -> None:
    raw = write_raw(tmp_path / "raw", {"orders": None})
    folder = raw / "orders"
    folder.mkdir()
    con = duckdb.connect()
    con.execute(f"copy (select * from ({ORDERS}) where order_id = 'O1') to '{folder}/day1.parquet'")
    con.execute(
        f"copy (select * from ({ORDERS}) where order_id <> 'O1') to '{folder}/day2.parquet'"
    )
    result = dbt_in(BUILD_STAGING, raw)
    assert result.returncode == 0, result.output[-3000:]
    wh = connect(tmp_path / "warehouse.duckdb")
    assert scalar(wh, "select count(*) from staging.stg_shop__orders") == 2


def test_dbt_resolves_the_accepted_values_as_the_document_does(render: Render) -> None:
    """The macros (graph.sources at execute time) and this module read one spec the same way."""
    spec = doc.load_spec()
    expected: dict[str, list[str]] = {}
    lines = ["select 1"]
    for table in spec.tables:
        for column in table.columns:
            values = spec.accepted_values(table, column)
            if values is None:
                continue
            where = f"{table.source}.{table.name}.{column.staged_name}"
            expected[where] = values
            call = (
                f"staged_accepted_values('{table.source}', '{table.name}', '{column.staged_name}')"
            )
            lines.append(f"-- {where} {{{{ tojson({call}) }}}}")
    assert len(expected) >= 15, "the spec declares fewer accepted-value lists than it does today"
    rendered = render("\n".join(lines))
    found = {
        line.split()[1]: json.loads(line.split(" ", 2)[2])
        for line in rendered.splitlines()
        if line.startswith("-- ")
    }
    assert found == expected
