"""Realistic and hostile raw input the generator never makes (issue 13): each test names the
defect it guards. One warehouse is built on clean data, then the raw files are mutated and the
same warehouse is built again incrementally, as a daily run would: the mutated build must pass
every data test, and each defect must be handled the documented way."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import MODELS_ONLY, Build, dbt, generate
from warehouse import connect, scalar

from segwarehouse.dbt_plugin import DEVELOPMENT_KEY

EU = "('AT','BE','DE','FR','IT','NL','ES','IE','PL','SE','DK','FI','PT')"


def key(kind: str, value: str) -> str:
    """The pseudonym an identifier must get (the oracle: HMAC-SHA256 of kind:value)."""
    return hmac.new(
        DEVELOPMENT_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def rewrite(path: Path, sql: str) -> None:
    """Replace the Parquet file at path by the result of sql, where {src} reads the old file."""
    con = duckdb.connect()
    con.execute(
        f"copy ({sql.format(src=f'read_parquet({chr(39)}{path}{chr(39)})')}) "
        f"to '{path}.new' (format parquet)"
    )
    con.close()
    Path(f"{path}.new").replace(path)


def one(raw: Path, sql: str) -> tuple:
    con = duckdb.connect()
    con.execute(f"set file_search_path = '{raw}'")
    row = con.execute(sql).fetchall()
    con.close()
    assert row, sql
    return row[0]


@dataclass
class Hostile:
    build: Build
    as_of: datetime
    picks: dict[str, tuple]


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    work = tmp_path_factory.mktemp("hostile")
    raw = generate(work / "raw", customers=1500, days=120, seed=21, bad_rate=0.0)
    warehouse = work / "warehouse.duckdb"
    first = dbt(["build", *MODELS_ONLY], raw, warehouse, work)
    assert first.returncode == 0, first.output[-3000:]

    (as_of,) = one(raw, "select max(cast(ordered_at as timestamp)) from 'orders.parquet'")
    erased = "(select customer_id from 'deletion_requests.parquet' where customer_id is not null)"
    picks: dict[str, tuple] = {}
    # defect 1: an EU customer whose only personalization choice is a recent grant
    picks["reused_id"] = one(
        raw,
        f"""
        select any_value(consent_event_id), customer_id, any_value(recorded_at)
        from 'consent_events.parquet'
        where purpose = 'personalization' and customer_id not in {erased}
        group by customer_id
        having count(*) = 1 and any_value(status) = 'granted'
            and any_value(jurisdiction) = 'EU'
            and any_value(cast(recorded_at as timestamp))
                between timestamp '{as_of}' - interval 200 days and timestamp '{as_of}' - interval 2 days
        order by customer_id limit 1
        """,
    )
    # defect 2: three EU customers who never granted marketing_email (all their choices for it
    # are denials or withdrawals, recorded before the grants added below)
    eu_without_email = f"""
        select customer_id from 'consent_events.parquet'
        where purpose = 'marketing_email' and customer_id not in {erased}
            and customer_id in (select customer_id from 'customers.parquet' where country_code in {EU})
        group by customer_id
        having count(*) filter (where status = 'granted') = 0
            and max(cast(recorded_at as timestamp)) < timestamp '{as_of}' - interval 25 days
        order by customer_id
    """
    con = duckdb.connect()
    con.execute(f"set file_search_path = '{raw}'")
    grantees = [r[0] for r in con.execute(eu_without_email + " limit 3").fetchall()]
    con.close()
    assert len(grantees) == 3
    picks["grantees"] = tuple(grantees)
    # defect 4: three customers whose country codes get rewritten
    (c_alpha3, c_junk, c_alias) = (
        one(raw, f"select customer_id from 'customers.parquet' where customer_id not in {erased} "
                 f"and country_code = 'US' order by customer_id limit 1 offset {i}")[0]
        for i in range(3)
    )  # fmt: skip
    picks["countries"] = (c_alpha3, c_junk, c_alias)
    # defect 7: an order to move before its customer's signup, a customer updated before
    # signup, a return to move before its order
    picks["early_order"] = one(
        raw,
        f"select o.order_id, o.customer_id, c.signup_at from 'orders.parquet' as o "
        f"inner join 'customers.parquet' as c using (customer_id) "
        f"where o.customer_id not in {erased} order by o.order_id limit 1",
    )
    picks["early_update"] = one(
        raw,
        f"select customer_id, signup_at from 'customers.parquet' where customer_id not in {erased} "
        "and signup_at is not null order by customer_id limit 1 offset 10",
    )
    picks["early_return"] = one(
        raw,
        "select r.return_id, o.ordered_at from 'returns.parquet' as r "
        "inner join 'orders.parquet' as o using (order_id) order by r.return_id limit 1",
    )
    # defect 9: a customer with orders, events and consent choices, erased now
    picks["erased"] = one(
        raw,
        f"""
        select customer_id from 'orders.parquet'
        where customer_id not in {erased}
            and customer_id in (select customer_id from 'consent_events.parquet')
            and customer_id in (select customer_id from read_parquet('events/*/*.parquet'))
        group by customer_id
        order by count(*) desc, customer_id limit 1
        """,
    )

    # ---- the mutations
    consent = raw / "consent_events.parquet"
    event_id, _, granted_at = picks["reused_id"]
    withdrawn_at = datetime.fromisoformat(str(granted_at)) + timedelta(hours=1)
    rewrite(
        consent,
        f"""
        select * from {{src}}
        union all
        select consent_event_id, customer_id, purpose, 'withdrawn' as status, consent_version,
            'account_settings' as source, jurisdiction, '{withdrawn_at}' as recorded_at
        from {{src}} where consent_event_id = '{event_id}'
        """,
    )
    undeclared, foreign, early = grantees
    rewrite(
        consent,
        f"""
        select * from {{src}}
        union all by name
        select * from (values
            ('CE-H-1', '{undeclared}', 'marketing_email', 'granted', 'eu-2031-07', 'banner', 'EU',
                '{as_of - timedelta(days=20)}'),
            ('CE-H-2', '{foreign}', 'marketing_email', 'granted', 'us-2025-01', 'banner', 'EU',
                '{as_of - timedelta(days=20)}'),
            ('CE-H-3', '{early}', 'marketing_email', 'granted', 'eu-2026-01', 'banner', 'EU',
                '2025-12-15 10:00:00')
        ) as t(consent_event_id, customer_id, purpose, status, consent_version, source,
            jurisdiction, recorded_at)
        """,
    )
    customers = raw / "customers.parquet"
    updated_customer = picks["early_update"][0]
    rewrite(
        customers,
        f"""
        select * replace (
            case customer_id
                when '{c_alpha3}' then 'DEU' when '{c_junk}' then 'XX' when '{c_alias}' then 'uk'
                else country_code
            end as country_code,
            case customer_id
                when '{updated_customer}'
                    then cast(cast(signup_at as timestamp) - interval 30 days as varchar)
                else updated_at
            end as updated_at
        )
        from {{src}}
        """,
    )
    orders = raw / "orders.parquet"
    (early_order, _, order_signup) = picks["early_order"]
    before_signup = datetime.fromisoformat(str(order_signup)) - timedelta(days=3)
    erased_id = picks["erased"][0]
    rewrite(
        orders,
        f"""
        select * replace (
            case when order_id = '{early_order}' then '{before_signup}' else ordered_at end
                as ordered_at,
            case when order_id = '{early_order}' then '{before_signup}' else updated_at end
                as updated_at
        )
        from {{src}}
        union all
        select * replace (
            'O-AFTER-ERASURE' as order_id,
            '{as_of - timedelta(days=1)}' as ordered_at,
            '{as_of - timedelta(days=1)}' as updated_at
        )
        from {{src}} where customer_id = '{erased_id}' and order_id = (
            select min(order_id) from {{src}} where customer_id = '{erased_id}'
        )
        """,
    )
    (early_return, return_ordered_at) = picks["early_return"]
    returns = raw / "returns.parquet"
    rewrite(
        returns,
        f"""
        select * replace (
            case
                when return_id = '{early_return}'
                    then cast(cast('{return_ordered_at}' as timestamp) - interval 2 days as varchar)
                else returned_at
            end as returned_at
        )
        from {{src}}
        """,
    )
    rewrite(
        raw / "deletion_requests.parquet",
        f"""
        select * from {{src}}
        union all
        select 'DR-HOSTILE', '{erased_id}', 'web_form', '{as_of - timedelta(days=12)}',
            '{as_of - timedelta(days=10)}'
        """,
    )
    # defect 8: a device id equal to some customer's id string, in a new delivery file
    last_delivery = sorted((raw / "events").glob("delivered_date=*"))[-1]
    linked = picks["countries"][0]
    con = duckdb.connect()
    con.execute(
        f"""
        copy (
            select * replace (
                'EV-HOSTILE-1' as event_id, '{linked}' as anonymous_id,
                null::varchar as customer_id, 'page_view' as event_type, '{{}}' as properties
            )
            from read_parquet('{last_delivery}/*.parquet', hive_partitioning = false) limit 1
        ) to '{last_delivery}/part-hostile.parquet' (format parquet)
        """
    )
    con.close()

    # every data test on the hostile rows; not the unit tests, whose given rows are the same
    # whatever the raw files (the clean build runs them)
    second = dbt(["build", "--exclude-resource-type", "unit_test"], raw, warehouse, work)
    return Hostile(Build(raw, warehouse, work, second), as_of, picks)


def test_hostile_input_never_stops_the_build(hostile: Hostile) -> None:
    result = hostile.build.result
    assert result.returncode == 0, result.output[-4000:]
    assert "ERROR=0" in result.output


# ---- defect 1: a withdrawal lost as a duplicate


def test_a_withdrawal_reusing_a_grants_id_is_a_conflict_and_wins(hostile: Hostile) -> None:
    event_id, customer_id, _ = hostile.picks["reused_id"]
    customer_key = key("customer_id", customer_id)
    con = connect(hostile.build.warehouse)
    logged = con.execute(
        "select disposition, reason from staging.stg_privacy__quarantined_rows "
        "where source_table = 'consent_events' and record_id = ?",
        [event_id],
    ).fetchall()
    assert logged == [
        ("conflict", "conflict: same consent_event_id as a kept row, different content")
    ]
    staged = con.execute(
        "select consent_status from staging.stg_privacy__consent_events where consent_event_id = ?",
        [event_id],
    ).fetchall()
    assert staged == [("withdrawn",)]
    suppressed = scalar(
        con,
        "select count(*) from compliance.compliance_suppression_list where customer_key = "
        f"'{customer_key}' and suppressed_purpose = 'personalization' "
        "and suppression_reason = 'withdrawn'",
    )
    assert suppressed == 1
    for relation in ("marts.segment_membership", "marts.segment_activation_export"):
        members = scalar(
            con,
            f"select count(*) from {relation} as m inner join marts.segments as s "
            "using (segment_id) where s.required_purpose = 'personalization' "
            f"and m.customer_key = '{customer_key}'",
        )
        assert members == 0, relation


# ---- defect 2: a grant under an undeclared notice


@pytest.mark.parametrize(
    ("position", "reason"),
    [
        (0, "grant under an undeclared consent_version"),
        (1, "grant under a notice of another jurisdiction"),
        (2, "grant before its notice was published"),
    ],
)
def test_a_grant_needs_a_notice_published_for_its_jurisdiction(
    hostile: Hostile, position: int, reason: str
) -> None:
    event_id = f"CE-H-{position + 1}"
    customer_key = key("customer_id", hostile.picks["grantees"][position])
    con = connect(hostile.build.warehouse)
    logged = con.execute(
        "select disposition, reason from staging.stg_privacy__quarantined_rows "
        "where source_table = 'consent_events' and record_id = ?",
        [event_id],
    ).fetchall()
    assert logged == [("quarantined", reason)]
    allowed = scalar(
        con,
        "select count(*) from intermediate.int_consent_periods_derived "
        f"where customer_key = '{customer_key}' and consent_purpose = 'marketing_email' "
        "and is_allowed",
    )
    assert allowed == 0


# ---- defect 4: country codes


def test_country_codes_are_iso_3166_alpha_2_or_repaired(hostile: Hostile) -> None:
    alpha3, junk, alias = hostile.picks["countries"]
    con = connect(hostile.build.warehouse)
    got = {
        customer_key: (country, region)
        for customer_key, country, region in con.execute(
            "select customer_key, country_code, privacy_region from staging.stg_shop__customers"
        ).fetchall()
    }
    assert got[key("customer_id", alpha3)] == ("DE", "eu")
    assert got[key("customer_id", junk)] == (None, "other")
    assert got[key("customer_id", alias)] == ("GB", "uk")
    reasons = dict(
        con.execute(
            "select record_id, reason from staging.stg_shop__quarantined_rows "
            "where source_table = 'customers' and disposition = 'repaired'"
        ).fetchall()
    )
    assert "country_code read as DE" in reasons[key("customer_id", alpha3)]
    assert "unexpected country_code" in reasons[key("customer_id", junk)]
    assert "country_code read as GB" in reasons[key("customer_id", alias)]
    invalid = scalar(
        con,
        "select count(*) from staging.stg_shop__customers where country_code is not null "
        "and country_code not in (select country_code from reference.country_codes)",
    )
    assert invalid == 0


# ---- defect 7: impossible timelines


def test_impossible_timelines_are_flagged_repaired_or_quarantined(hostile: Hostile) -> None:
    con = connect(hostile.build.warehouse)
    order_id = hostile.picks["early_order"][0]
    assert con.execute(
        "select disposition, reason from staging.stg_shop__quarantined_rows "
        "where source_table = 'orders' and record_id = ?",
        [order_id],
    ).fetchall() == [
        ("flagged", "flagged (staged as is): ordered_at before the customer's signup_at")
    ]
    assert scalar(
        con, f"select count(*) from staging.stg_shop__orders where order_id = '{order_id}'"
    )
    customer_key = key("customer_id", hostile.picks["early_update"][0])
    repaired = con.execute(
        "select reason from staging.stg_shop__quarantined_rows "
        "where source_table = 'customers' and record_id = ?",
        [customer_key],
    ).fetchall()
    assert len(repaired) == 1 and "updated_at before signup_at" in repaired[0][0]
    assert (
        scalar(
            con,
            f"select count(*) from staging.stg_shop__customers where customer_key = '{customer_key}' "
            "and updated_at is null",
        )
        == 1
    )
    return_id = hostile.picks["early_return"][0]
    assert con.execute(
        "select disposition, reason from staging.stg_shop__quarantined_rows "
        "where source_table = 'returns' and record_id = ?",
        [return_id],
    ).fetchall() == [("quarantined", "returned_at before the order's ordered_at")]


# ---- defect 8: linkable pseudonyms


def test_a_device_id_equal_to_a_customer_id_is_not_linkable(hostile: Hostile) -> None:
    customer_id = hostile.picks["countries"][0]
    con = connect(hostile.build.warehouse)
    rows = con.execute(
        "select anonymous_key from staging.base_tracking__events where event_id = 'EV-HOSTILE-1'"
    ).fetchall()
    assert rows == [(key("anonymous_id", customer_id),)]
    assert rows[0][0] != key("customer_id", customer_id)
    customer_keys = {
        r[0] for r in con.execute("select customer_key from staging.stg_shop__customers").fetchall()
    }
    assert key("customer_id", customer_id) in customer_keys
    assert rows[0][0] not in customer_keys


# ---- defect 9: deletion reaches every relation


def test_an_erased_customer_remains_only_in_the_suppression_list(hostile: Hostile) -> None:
    customer_id = hostile.picks["erased"][0]
    legacy = hmac.new(DEVELOPMENT_KEY.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    # the raw id, its key, and its key in the format before domain separation (defect 8)
    needles = {customer_id, key("customer_id", customer_id), legacy}
    con = connect(hostile.build.warehouse)
    # the warehouse file and the identity file (attached as catalog restricted)
    columns = con.execute(
        """
        select table_catalog, table_schema, table_name, column_name
        from information_schema.columns
        where table_catalog in ('warehouse', 'restricted') and data_type = 'VARCHAR'
        order by all
        """
    ).fetchall()
    assert len({(s, t) for _, s, t, _ in columns}) > 40
    assert ("restricted", "main", "stg_shop__customer_identities", "customer_id") in columns
    found = {}
    for catalog, schema, table, column in columns:
        hits = scalar(
            con,
            f'select count(*) from "{catalog}"."{schema}"."{table}" where "{column}" in '
            f"({', '.join(repr(n) for n in needles)})",
        )
        if hits:
            name = f"{schema}.{table}.{column}"
            found[name if catalog == "warehouse" else f"{catalog}.{name}"] = hits
    assert found == {"compliance.compliance_suppression_list.customer_key": 4}, found
    # the rows loaded before the deletion are accounted for, never lost
    logged = dict(
        con.execute(
            "select source_table, count(*) from ("
            "select source_table, disposition from staging.stg_shop__quarantined_rows union all "
            "select source_table, disposition from staging.stg_tracking__quarantined_rows union all "
            "select source_table, disposition from staging.stg_privacy__quarantined_rows"
            ") where disposition = 'deleted_customer' group by 1"
        ).fetchall()
    )
    raw = hostile.build.raw_dir
    for table, reader in [
        ("orders", f"read_parquet('{raw}/orders.parquet')"),
        ("consent_events", f"read_parquet('{raw}/consent_events.parquet')"),
        ("events", f"read_parquet('{raw}/events/*/*.parquet', hive_partitioning = false)"),
    ]:
        expected = scalar(
            con,
            f"select count(*) from {reader} where trim(customer_id) in ("
            f"select trim(customer_id) from read_parquet('{raw}/deletion_requests.parquet') "
            "where try_cast(verified_at as timestamp) is not null)",
        )
        assert logged.get(table) == expected, (table, logged, expected)


# ---- defects 4 and 6 on small separate raw folders


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("small") / "raw", customers=300, days=30, seed=4, bad_rate=0.0
    )


def _copy(small_raw: Path, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    return raw


# the shop's staging and its data tests only (cautious: tests whose parents are all selected)
ORDERS_ONLY = [
    "build", "--select", "+stg_shop__orders", "+stg_shop__quarantined_rows",
    "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
]  # fmt: skip


def test_columns_differing_only_in_case_fail_naming_file_and_both(
    small_raw: Path, tmp_path: Path, dbt_in
) -> None:
    raw = _copy(small_raw, tmp_path)
    path = raw / "customers.parquet"
    table = pq.read_table(path)
    # DuckDB itself cannot write two such columns (it renames the second): pyarrow can
    pq.write_table(table.append_column("COUNTRY_CODE", pa.array(["FR"] * table.num_rows)), path)
    result = dbt_in(["build", "--select", "+stg_shop__customers"], raw)
    assert result.returncode != 0
    assert "customers.parquet" in result.output
    assert "'country_code' and 'COUNTRY_CODE' differ only in case" in result.output


def test_a_history_from_the_late_1990s_is_staged_not_quarantined(
    small_raw: Path, tmp_path: Path, dbt_in
) -> None:
    raw = _copy(small_raw, tmp_path)
    for table, columns in [
        ("orders", ("ordered_at", "updated_at")),
        ("customers", ("signup_at", "updated_at")),
    ]:
        shifted = ", ".join(
            f"cast(cast({c} as timestamp) - interval 28 years as varchar) as {c}" for c in columns
        )
        rewrite(raw / f"{table}.parquet", f"select * replace ({shifted}) from {{src}}")
    result = dbt_in(ORDERS_ONLY, raw)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(tmp_path / "warehouse.duckdb")
    raw_orders = scalar(con, f"select count(*) from read_parquet('{raw}/orders.parquet')")
    staged = scalar(
        con, "select count(*) from staging.stg_shop__orders where ordered_at < '2000-01-01'"
    )
    assert staged > 0.9 * raw_orders


def test_an_abnormal_reject_share_fails_naming_table_share_and_reasons(
    small_raw: Path, tmp_path: Path, dbt_in
) -> None:
    raw = _copy(small_raw, tmp_path)
    rewrite(
        raw / "orders.parquet",
        "select * replace (case when hash(order_id) % 10 < 3 then -1.0 else total_amount end "
        "as total_amount) from {src}",
    )
    failed = dbt_in(ORDERS_ONLY, raw)
    assert failed.returncode != 0
    assert "Abnormal reject share in raw table shop.orders: " in failed.output
    assert "limit 20.0% for a required table" in failed.output
    assert "Top reasons: negative total_amount (" in failed.output
    warned = dbt_in([*ORDERS_ONLY, "--vars", "{reject_share_severity: warn}"], raw)
    assert warned.returncode == 0, warned.output[-3000:]
    assert "WARN" in warned.output


def test_a_reconciliation_failure_prints_the_counts(
    small_raw: Path, tmp_path: Path, dbt_in
) -> None:
    raw = _copy(small_raw, tmp_path)
    assert dbt_in(ORDERS_ONLY, raw).returncode == 0
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    (order_id,) = con.execute("select min(order_id) from staging.stg_shop__orders").fetchall()[0]
    con.execute(f"delete from staging.stg_shop__orders where order_id = '{order_id}'")
    raw_rows = con.execute(f"select count(*) from read_parquet('{raw}/orders.parquet')").fetchall()
    staged = con.execute("select count(*) from staging.stg_shop__orders").fetchall()[0][0]
    con.close()
    result = dbt_in(["test", "--select", "stg_shop__orders,test_name:rows_reconcile"], raw)
    assert result.returncode != 0
    assert "rows_reconcile shop.orders: raw rows do not reconcile (" in result.output
    assert f"raw {raw_rows[0][0]}, staged {staged}, quarantined " in result.output
