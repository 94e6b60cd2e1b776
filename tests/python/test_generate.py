"""Tests of the raw demo-data generator (small scale, a few seconds in total)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from segwarehouse.generate import TABLES, generate, main

N_CUSTOMERS = 2_000
DAYS = 365
END = date(2026, 9, 30)
JUNK = ("", "null", "none", "nan", "unknown", "anonymous", "guest", "n/a", "undefined", "0", "-1")

TEXT, NUMBER, BOOL, TS_TEXT, TS = "text", "number", "bool", "ts_text", "ts"
CONTRACT = {
    "customers": {
        "customer_id": TEXT, "email": TEXT, "first_name": TEXT, "last_name": TEXT,
        "country_code": TEXT, "state_code": TEXT, "signup_at": TS_TEXT, "signup_channel": TEXT,
        "is_loyalty_member": BOOL, "updated_at": TS_TEXT,
    },
    "products": {
        "product_id": TEXT, "product_name": TEXT, "category": TEXT, "metal": TEXT,
        "gemstone": TEXT, "is_lab_grown": BOOL, "style": TEXT, "is_bridal": BOOL,
        "list_price": NUMBER, "currency": TEXT, "launched_at": TS_TEXT,
    },
    "orders": {
        "order_id": TEXT, "customer_id": TEXT, "ordered_at": TS_TEXT, "channel": TEXT,
        "status": TEXT, "currency": TEXT, "subtotal_amount": NUMBER, "discount_amount": NUMBER,
        "shipping_amount": NUMBER, "tax_amount": NUMBER, "total_amount": NUMBER,
        "discount_code": TEXT, "is_gift": BOOL, "gift_message": TEXT, "updated_at": TS_TEXT,
    },
    "order_items": {
        "order_item_id": TEXT, "order_id": TEXT, "product_id": TEXT, "quantity": NUMBER,
        "unit_price": NUMBER, "discount_amount": NUMBER, "line_amount": NUMBER,
    },
    "returns": {
        "return_id": TEXT, "order_id": TEXT, "order_item_id": TEXT, "returned_at": TS_TEXT,
        "quantity": NUMBER, "refund_amount": NUMBER, "reason": TEXT,
    },
    "events": {
        "event_id": TEXT, "anonymous_id": TEXT, "customer_id": TEXT, "session_id": TEXT,
        "event_type": TEXT, "platform": TEXT, "product_id": TEXT, "properties": TEXT,
        "event_at": TS, "received_at": TS,
    },
    "consent_events": {
        "consent_event_id": TEXT, "customer_id": TEXT, "purpose": TEXT, "status": TEXT,
        "consent_version": TEXT, "source": TEXT, "jurisdiction": TEXT, "recorded_at": TS_TEXT,
    },
    "deletion_requests": {
        "request_id": TEXT, "customer_id": TEXT, "request_channel": TEXT,
        "requested_at": TS_TEXT, "verified_at": TS_TEXT,
    },
    "survey_responses": {
        "response_id": TEXT, "customer_id": TEXT, "order_id": TEXT, "survey_type": TEXT,
        "purchase_occasion": TEXT, "style_preference": TEXT, "value_priority": TEXT,
        "responded_at": TS_TEXT,
    },
}  # fmt: skip
PRIMARY_KEYS = {
    "customers": "customer_id", "products": "product_id", "orders": "order_id",
    "order_items": "order_item_id", "returns": "return_id", "events": "event_id",
    "consent_events": "consent_event_id", "deletion_requests": "request_id",
    "survey_responses": "response_id",
}  # fmt: skip
FOREIGN_KEYS = [  # (table, column, parent table, parent key)
    ("orders", "customer_id", "customers", "customer_id"),
    ("order_items", "order_id", "orders", "order_id"),
    ("order_items", "product_id", "products", "product_id"),
    ("returns", "order_id", "orders", "order_id"),
    ("returns", "order_item_id", "order_items", "order_item_id"),
    ("events", "customer_id", "customers", "customer_id"),
    ("events", "product_id", "products", "product_id"),
    ("consent_events", "customer_id", "customers", "customer_id"),
    ("deletion_requests", "customer_id", "customers", "customer_id"),
    ("survey_responses", "customer_id", "customers", "customer_id"),
    ("survey_responses", "order_id", "orders", "order_id"),
]
ENUMS = {
    ("customers", "signup_channel"): ["web", "app", "store", "marketplace"],
    ("orders", "channel"): ["web", "app", "store", "marketplace"],
    ("orders", "status"): ["placed", "shipped", "completed", "cancelled", "returned"],
    ("orders", "currency"): ["USD", "EUR", "GBP"],
    ("products", "category"): ["rings", "necklaces", "earrings", "bracelets", "watches"],
    ("products", "style"): ["classic", "artisan_limited", "trendy", "vintage"],
    ("returns", "reason"): [
        "size", "changed_mind", "defect", "not_as_described", "gift_return", "other",
    ],
    ("events", "event_type"): [
        "page_view", "product_view", "add_to_cart", "checkout_started", "purchase",
        "email_open", "email_click", "login", "search", "segment_exposed",
    ],
    ("events", "platform"): ["web", "app"],
    ("consent_events", "purpose"): [
        "analytics", "personalization", "marketing_email", "sale_sharing",
    ],
    ("consent_events", "status"): ["granted", "denied", "withdrawn"],
    ("consent_events", "source"): [
        "banner", "account_settings", "gpc_signal", "support_request", "checkout",
    ],
    ("consent_events", "jurisdiction"): ["EU", "UK", "US-CA", "US-other", "other"],
    ("survey_responses", "survey_type"): ["post_purchase", "exit_intent"],
}  # fmt: skip
DEFECT_KINDS = [
    "duplicate", "junk_primary_key", "junk_foreign_key", "unknown_foreign_key",
    "negative_or_absurd_amount", "invalid_quantity", "unparseable_timestamp",
    "future_timestamp", "event_after_received", "malformed_email", "invalid_enum",
    "conflicting_same_instant",
]  # fmt: skip


def _run(out: Path, seed: int = 7, bad_rate: float = 0.0) -> dict[str, int]:
    return generate(N_CUSTOMERS, DAYS, seed, bad_rate, out, END, progress=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _first_event_file(folder: Path) -> str:
    """The first daily delivery file of the events, relative to folder."""
    first = sorted((folder / "events").glob("delivered_date=*/*.parquet"))[0]
    return str(first.relative_to(folder))


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for t in TABLES:
        src = folder / t / "*" / "*.parquet" if t == "events" else folder / f"{t}.parquet"
        con.execute(
            f"create view {t} as select * from read_parquet('{src}', hive_partitioning = false)"
        )
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _count(con: duckdb.DuckDBPyConnection, table: str, where: str) -> int:
    return _one(con, f"select count(*) from {table} where {where}")


def _groups(con: duckdb.DuckDBPyConnection, table: str, key: str, having: str) -> int:
    """Number of ``key`` groups of ``table`` satisfying ``having``."""
    return _one(con, f"select count(*) from (select {key} from {table} group by 1 having {having})")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("clean")
    return out, _run(out)


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("bad")
    return out, _run(out, bad_rate=0.05)


@pytest.fixture(scope="module")
def con(clean):
    return _connect(clean[0])


# --- files, determinism, schema -----------------------------------------------------------------


def test_writes_every_table_and_the_json_extras(clean):
    out, counts = clean
    assert set(counts) == set(TABLES)
    for t in TABLES:
        assert counts[t] > 0, t
        assert (out / f"{t}.parquet").is_file() or (out / t).is_dir(), t
    # events come as daily deliveries: one file per day received, none empty
    days = sorted(p.name for p in (out / "events").iterdir())
    assert days[0].startswith("delivered_date=") and len(days) > 30
    con = _connect(out)
    per_day = con.execute(
        "select cast(received_at as date), count(*) from events group by 1 order by 1"
    ).fetchall()
    assert [f"delivered_date={d}" for d, _ in per_day] == days
    for day, rows in per_day:
        assert (
            pq.read_metadata(
                out / "events" / f"delivered_date={day}" / "part-00000.parquet"
            ).num_rows
            == rows
        )
    assert not (out / "events.parquet").exists()
    for extra in ("ground_truth.json", "defects.json"):
        json.loads((out / extra).read_text())


def test_same_seed_gives_identical_bytes_and_other_seed_differs(clean, tmp_path):
    out, _ = clean
    again = tmp_path / "again"
    _run(again)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between identical runs"
    other = tmp_path / "other"
    _run(other, seed=8)
    third = _files(other)
    for name in ("customers.parquet", "orders.parquet"):
        assert third[name] != first[name], name
    common_days = sorted(n for n in first.keys() & third.keys() if n.startswith("events/"))
    assert common_days and all(third[n] != first[n] for n in common_days)


def test_rerun_removes_stale_files(tmp_path):
    out = tmp_path / "raw"
    (out / "events").mkdir(parents=True)
    (out / "events" / "part-00099.parquet").write_bytes(b"stale")
    (out / "keep.txt").write_text("not ours")
    generate(300, 60, 1, 0.0, out, END, progress=False)
    assert not (out / "events" / "part-00099.parquet").exists()
    assert (out / _first_event_file(out)).exists()
    assert (out / "keep.txt").exists()


@pytest.mark.parametrize(("customers", "days", "bad_rate"), [(1, 1, 0.0), (10, 3, 0.5)])
def test_tiny_runs_write_every_table(tmp_path, customers, days, bad_rate):
    counts = generate(customers, days, 3, bad_rate, tmp_path, END, progress=False)
    assert counts["customers"] >= customers and counts["products"] > 0
    for t in TABLES:
        if t == "events":
            files = sorted((tmp_path / t).glob("delivered_date=*/*.parquet"))
            assert sum(pq.read_metadata(f).num_rows for f in files) == counts[t], t
        else:
            assert pq.read_metadata(tmp_path / f"{t}.parquet").num_rows == counts[t], t


def test_columns_and_types_follow_the_contract(clean, con):
    out, _ = clean
    for table, columns in CONTRACT.items():
        path = out / _first_event_file(out) if table == "events" else out / f"{table}.parquet"
        schema = pq.read_schema(path)
        assert list(schema.names) == list(columns), table
        for name, kind in columns.items():
            typ = schema.field(name).type
            ok = {
                TEXT: pa.types.is_string(typ),
                TS_TEXT: pa.types.is_string(typ),
                NUMBER: pa.types.is_floating(typ) or pa.types.is_integer(typ),
                BOOL: pa.types.is_boolean(typ),
                TS: pa.types.is_timestamp(typ) and typ.unit == "us" and typ.tz is None,
            }[kind]
            assert ok, f"{table}.{name}: {typ}"
    assert pq.read_schema(out / "order_items.parquet").field("quantity").type == pa.int32()
    # the DuckDB reader sees the same columns
    assert _one(con, "select count(*) from (describe events)") == len(CONTRACT["events"])


# --- bad rate 0: perfectly clean ----------------------------------------------------------------


def test_clean_run_reports_no_defects(clean):
    out, _ = clean
    summary = json.loads((out / "defects.json").read_text())
    assert summary["bad_rate"] == 0.0
    assert summary["totals"] == {}
    assert not set(summary) & set(TABLES)


def test_clean_run_has_no_junk_or_missing_keys(con):
    junk = ", ".join(f"'{j}'" for j in JUNK)
    for table, key in PRIMARY_KEYS.items():
        assert _count(con, table, f"{key} is null or lower(trim({key})) in ({junk})") == 0, table
    for table, column, _, _ in FOREIGN_KEYS:
        assert _count(con, table, f"lower(trim({column})) in ({junk})") == 0, (table, column)
    for table, column in [
        ("orders", "customer_id"),
        ("order_items", "order_id"),
        ("events", "anonymous_id"),
        ("consent_events", "customer_id"),
    ]:
        assert _count(con, table, f"{column} is null") == 0, column


def test_clean_run_has_no_duplicates(con):
    for table in TABLES:
        n = _one(con, f"select count(*) from {table}")
        distinct = _one(con, f"select count(*) from (select distinct * from {table})")
        assert n == distinct, f"exact duplicate rows in {table}"
    for table, key in PRIMARY_KEYS.items():
        # customers and orders may hold an older version of a record: (key, updated_at) is unique
        cols = f"{key}, updated_at" if table in ("customers", "orders") else key
        n = _one(
            con,
            f"select count(*) from (select {cols} from {table} group by all having count(*) > 1)",
        )
        assert n == 0, table


def test_clean_run_amounts_are_valid_and_consistent(con):
    for table, cols in {
        "orders": ["subtotal_amount", "discount_amount", "shipping_amount", "tax_amount"],
        "order_items": ["unit_price", "discount_amount", "line_amount"],
        "returns": ["refund_amount"],
        "products": ["list_price"],
    }.items():
        for col in [*cols, "total_amount"] if table == "orders" else cols:
            assert _count(con, table, f"{col} < 0 or {col} > 500000") == 0, (table, col)
    assert _count(con, "order_items", "quantity not between 1 and 100") == 0
    assert _count(con, "returns", "quantity not between 1 and 100") == 0
    assert _one(con, "select min(list_price) >= 29 and max(list_price) <= 20000 from products")
    total = "subtotal_amount - discount_amount + shipping_amount + tax_amount"
    assert _count(con, "orders", f"abs(total_amount - ({total})) > 0.011") == 0
    mismatch = _one(con, """
        select count(*) from (select distinct order_id, subtotal_amount from orders) o
        join (select order_id, sum(line_amount) s, count(*) n from order_items group by 1) i
        using (order_id)
        where abs(o.subtotal_amount - i.s) > 0.011 or i.n not between 1 and 4
    """)  # fmt: skip
    assert mismatch == 0
    line = "quantity * unit_price - discount_amount"
    assert _count(con, "order_items", f"abs(line_amount - ({line})) > 0.011") == 0


def test_clean_run_foreign_keys_are_known(con):
    for table, column, parent, key in FOREIGN_KEYS:
        unknown = f"""{column} is not null
            and {column} not in (select {key} from {parent} where {key} is not null)"""
        assert _count(con, table, unknown) == 0, f"{table}.{column}"
    gone = """event_type = 'purchase' and json_extract_string(properties, '$.order_id')
        not in (select order_id from orders where order_id is not null)"""
    assert _count(con, "events", gone) == 0


def test_clean_run_timestamps_parse_and_are_ordered(con):
    for table, columns in CONTRACT.items():
        for col, kind in columns.items():
            if kind != TS_TEXT:
                continue
            ts = f"try_cast({col} as timestamp)"
            bad = f"""{col} is not null and ({ts} is null
                or {ts} >= timestamp '2026-10-01' or {ts} < timestamp '2020-01-01')"""
            assert _count(con, table, bad) == 0, f"{table}.{col}"
    for table, a, b in [
        ("orders", "ordered_at", "updated_at"),
        ("customers", "signup_at", "updated_at"),
        ("deletion_requests", "requested_at", "verified_at"),
    ]:
        assert _count(con, table, f"cast({a} as timestamp) > cast({b} as timestamp)") == 0, table
    assert _count(con, "events", "event_at > received_at") == 0
    assert _one(con, "select max(event_at) < timestamp '2026-10-01' from events")
    assert _one(con, "select min(ordered_at) >= '2025-10-01' from orders")
    before_signup = "orders o join customers c using (customer_id)"
    assert _count(con, before_signup, "o.ordered_at < c.signup_at") == 0


def test_clean_run_values_are_in_their_enumerations(con):
    for (table, column), allowed in ENUMS.items():
        values = {r[0] for r in con.execute(f"select distinct {column} from {table}").fetchall()}
        assert values <= set(allowed), f"{table}.{column}: {values - set(allowed)}"
    email = r"regexp_full_match(email, '[^@\s]+@example\.(com|org|net)')"
    assert _count(con, "customers", f"not {email}") == 0
    assert _one(con, "select count(distinct email) = count(distinct customer_id) from customers")
    assert _count(con, "events", "properties is not null and not json_valid(properties)") == 0
    assert _count(con, "consent_events", "consent_version is null") == 0


# --- defects ------------------------------------------------------------------------------------


def test_bad_rate_injects_every_defect_kind(bad):
    out, counts = bad
    summary = json.loads((out / "defects.json").read_text())
    assert summary["bad_rate"] == 0.05
    for kind in DEFECT_KINDS:
        assert summary["totals"].get(kind, 0) > 0, kind
    for table in TABLES:
        if counts[table] > 100:  # tiny tables may get round(rate * rows) = 0 defects
            assert summary[table]["duplicate"] > 0, table
    # about 5 % of the orders per kind
    assert sum(summary["totals"].values()) == sum(
        sum(summary[t].values()) for t in TABLES if t in summary
    )
    n_dup = summary["orders"]["duplicate"]
    assert 0.03 * counts["orders"] < n_dup < 0.07 * counts["orders"]


def test_defects_are_really_in_the_data(bad):
    out, _ = bad
    con = _connect(out)
    summary = json.loads((out / "defects.json").read_text())
    for table in ("orders", "events", "consent_events"):
        n = _one(con, f"select count(*) from {table}")
        distinct = _one(con, f"select count(*) from (select distinct * from {table})")
        assert n - distinct > 0, table
    junk = ", ".join(f"'{j}'" for j in JUNK)
    assert _count(con, "orders", f"order_id is null or lower(trim(order_id)) in ({junk})") > 0
    unknown = "order_id not in (select order_id from orders where order_id is not null)"
    assert _count(con, "order_items", unknown) >= summary["order_items"]["unknown_foreign_key"]
    amount = (
        "total_amount < 0 or total_amount > 1e6 or subtotal_amount < 0 or subtotal_amount > 1e6"
    )
    assert _count(con, "orders", amount) > 0
    assert _count(con, "order_items", "quantity <= 0 or quantity > 1000") > 0
    unparseable = (
        "try_cast(ordered_at as timestamp) is null or try_cast(updated_at as timestamp) is null"
    )
    assert _count(con, "orders", unparseable) > 0
    latest = "greatest(try_cast(signup_at as timestamp), try_cast(updated_at as timestamp))"
    future = f"{latest} > timestamp '2090-01-01'"
    assert _count(con, "customers", future) > 0
    assert _count(con, "events", "event_at > timestamp '2090-01-01'") > 0
    assert _count(con, "events", "event_at > received_at + interval 1 day") > 0
    assert _count(con, "events", "event_type = 'weird_event'") > 0
    assert _count(con, "orders", "status = 'UNKNOWN_STATUS'") > 0
    assert _count(con, "consent_events", "purpose = 'tracking??'") > 0
    email = r"regexp_full_match(coalesce(email, ''), '[^@\s]+@[^@\s]+\.[^@\s.]+')"
    assert _count(con, "customers", f"not {email}") > 0
    conflicts = _one(con, """
        select count(*) from (
            select customer_id, purpose, recorded_at from consent_events
            group by all having count(distinct status) > 1 and bool_or(status = 'granted')
        )
    """)  # fmt: skip
    assert conflicts > 0
    # types are unchanged by the defects
    assert pq.read_schema(out / "orders.parquet").field("total_amount").type == pa.float64()
    event_at = pq.read_schema(out / _first_event_file(out)).field("event_at")
    assert event_at.type == pa.timestamp("us")


# --- planted experiment -------------------------------------------------------------------------


def test_ground_truth_matches_the_orders(clean, con):
    out, _ = clean
    truth = json.loads((out / "ground_truth.json").read_text())
    assert truth["args"]["seed"] == 7 and truth["args"]["customers"] == N_CUSTOMERS
    segs = truth["segments"]
    assert set(segs) == {"cart_abandoners", "win_back_180d", "email_engaged"}
    assert segs["email_engaged"]["true_absolute_lift"] == 0.0
    assert segs["cart_abandoners"]["true_absolute_lift"] > 0
    rows = con.execute("""
        with x as (
            select customer_id, event_at,
                   json_extract_string(properties, '$.segment_id') seg,
                   json_extract_string(properties, '$.variant') variant
            from events where event_type = 'segment_exposed'
        )
        select seg, variant, count(*) exposures,
               count(*) filter (where exists (
                   select 1 from orders o where o.customer_id = x.customer_id
                   and cast(o.ordered_at as timestamp) > x.event_at
                   and cast(o.ordered_at as timestamp) <= x.event_at + interval 30 day)) converted
        from x group by all
    """).fetchall()  # fmt: skip
    seen = {(seg, variant): (n, k) for seg, variant, n, k in rows}
    for name, seg in segs.items():
        assert seg["window_days"] == 30
        assert 0 < seg["holdout_pct"] < 0.5
        for arm in ("treatment", "holdout"):
            planted = seg["arms"][arm]
            assert seen[(name, arm)] == (planted["exposures"], planted["converted"]), (name, arm)
        assert seg["arms"]["treatment"]["converted"] > 0, name
    # one exposure per customer, segment and campaign; holdout share about as planted
    dup = _one(con, """
        select count(*) from (select customer_id, properties from events
        where event_type = 'segment_exposed' group by all having count(*) > 1)
    """)  # fmt: skip
    assert dup == 0
    holdout = _one(con, """
        select avg((json_extract_string(properties, '$.variant') = 'holdout')::int)
        from events where event_type = 'segment_exposed'
    """)  # fmt: skip
    assert 0.05 < holdout < 0.25


# --- planted behaviour --------------------------------------------------------------------------

LAST_30_DAYS = "timestamp '2026-10-01' - interval 30 day"
BEHAVIOURS = [  # (what, table, where)
    ("gift order in December", "orders", "is_gift and month(cast(ordered_at as timestamp)) = 12"),
    ("gift message with a name", "orders", "gift_message like '%, %'"),
    ("bridal product view", "events e join products p using (product_id)",
     "e.event_type = 'product_view' and p.is_bridal"),
    ("gpc signal", "consent_events",
     "source = 'gpc_signal' and status = 'withdrawn' and jurisdiction = 'US-CA'"),
    ("withdrawn consent", "consent_events", "status = 'withdrawn' and source <> 'gpc_signal'"),
    ("eu-2026 renewal", "consent_events", "consent_version = 'eu-2026-01'"),
    ("late event", "events", "received_at - event_at > interval 1 day"),
    ("never bought", "customers", "customer_id not in (select customer_id from orders)"),
    ("old customer", "customers", "signup_at < '2025-10-01'"),
    ("cart abandoner", "events", f"""event_type = 'checkout_started' and event_at >= {LAST_30_DAYS}
        and customer_id not in (select customer_id from orders
                                where cast(ordered_at as timestamp) >= {LAST_30_DAYS})"""),
    ("discount code", "orders", "discount_code is not null and discount_amount > 0"),
    ("cancelled order", "orders", "status = 'cancelled'"),
    ("returned order with returns", "returns", "order_id in (select order_id from orders)"),
    ("login sets customer", "events", "event_type = 'login' and customer_id is not null"),
    ("anonymous before login", "events", "customer_id is null and session_id is not null"),
    ("lab-grown diamond", "products", "is_lab_grown and gemstone = 'diamond'"),
    ("deletion never verified", "deletion_requests", "verified_at is null"),
    ("post-purchase survey", "survey_responses",
     "survey_type = 'post_purchase' and order_id is not null"),
]  # fmt: skip
BUYER_GROUPS = [  # (what, table, key, having)
    ("repeat buyer", "orders", "customer_id", "count(distinct order_id) >= 3"),
    ("one-time buyer", "orders", "customer_id", "count(distinct order_id) = 1"),
    ("lapsed 180 days", "orders", "customer_id",
     "max(cast(ordered_at as timestamp)) < timestamp '2026-10-01' - interval 180 day"),
    ("new customer", "orders", "customer_id",
     f"min(cast(ordered_at as timestamp)) >= {LAST_30_DAYS}"),
    ("email engaged", "events", "customer_id",
     "count(*) filter (where event_type = 'email_click') >= 3"),
    ("order updated later", "orders", "order_id", "count(*) = 2"),
    ("customer updated later", "customers", "customer_id", "count(*) = 2"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "table", "where"), BEHAVIOURS, ids=[b[0] for b in BEHAVIOURS])
def test_planted_behaviour_is_present(con, what, table, where):
    assert _count(con, table, where) > 0, what


@pytest.mark.parametrize(
    ("what", "table", "key", "having"), BUYER_GROUPS, ids=[b[0] for b in BUYER_GROUPS]
)
def test_planted_customer_group_is_present(con, what, table, key, having):
    assert _groups(con, table, key, having) > 0, what


def test_shares_and_seasonality_are_plausible(con):
    shares = dict(con.execute("""
        select jurisdiction, count(distinct customer_id) from consent_events group by 1
    """).fetchall())  # fmt: skip
    assert shares.get("EU", 0) > shares.get("UK", 0) > 0
    final_status = """
        select distinct order_id, last_value(status) over (
            partition by order_id order by updated_at
            rows between unbounded preceding and unbounded following) status
        from orders"""
    returned = _one(con, f"select avg((status = 'returned')::int) from ({final_status})")
    cancelled = _one(con, f"select avg((status = 'cancelled')::int) from ({final_status})")
    assert 0.04 < returned < 0.14
    assert 0.02 < cancelled < 0.08
    per_month = "select month(cast(ordered_at as timestamp)), count(*) from orders group by 1"
    peak = dict(con.execute(per_month).fetchall())
    assert peak[12] > peak[3] and peak[12] > peak[10]
    gifts = "select month(cast(ordered_at as timestamp)), avg(is_gift::int) from orders group by 1"
    gift_share = dict(con.execute(gifts).fetchall())
    assert gift_share[12] > gift_share[3] and gift_share[2] > gift_share[3]


def test_cli_prints_row_counts(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["--customers", "200", "--days", "30", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    for t in TABLES:
        assert t in text
    assert "wrote" in text and " s" in text
    assert (out / "orders.parquet").is_file()
