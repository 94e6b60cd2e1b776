"""Property-based tests (hypothesis) of the raw data contract (issue 13).

Fast, pure properties of the two staging macros every base model relies on, rendered by dbt and
run on DuckDB against independent Python oracles:
  - content_hash encodes a row injectively (it equals md5 of the documented length-prefixed
    encoding, so two rows share a digest only when they are equal);
  - disposition stages exactly one row per key, calls exact copies 'duplicate', other content
    'superseded' or 'conflict', whatever the input order.

And the contract end to end: each example is one random mutation plan (duplicates, conflicts,
nulls, junk values and types, extreme values, unicode and blanks in ids and codes, shuffled
rows, consent ids re-used by a withdrawal, GPC signals, unexpected statuses) applied to a copy
of a tiny generated raw dataset, then one `dbt build`. After it, for every raw table,
  raw rows = staged + quarantined + duplicate + superseded + conflict + deleted_customer
(raw rows counted from the files written, staged rows from the staging model, the rest from the
source's quarantine log), and no customer whose latest raw consent choice for a purpose is
protective (withdrawn, denied, a GPC signal or an unexpected status: consent fails closed) is
allowed that purpose, a member of a segment needing it, or in the activation export.

Budget: the end-to-end property runs 2 explicit + PLAN_EXAMPLES generated plans, one build each
(staging with its data tests, and the consent, segment and export models: ~150 nodes, no unit
tests), derandomized so CI sees the same plans every run, without shrinking (each shrink step
would be a build). A build costs the same for 10 mutations or 60 (~13 s of CPU, all of it dbt's
per-node work on a tiny dataset), so the plans are long (20 to 60 mutations) and few: 4 plans
of 20-60 try as many mutations as 8 of 10-30 did, in half the builds. A failure prints the whole
plan; the explicit @example plans are the defects found so far.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import ROOT, Project, Render, dbt, generate
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from warehouse import connect

# ---------------------------------------------------------------- content_hash


def python_content_hash(values: tuple[str | None, ...]) -> str:
    """The encoding content_hash documents: each value as '<length>:<text>', null as '-'."""
    encoded = "".join("-" if value is None else f"{len(value)}:{value}" for value in values)
    return hashlib.md5(encoded.encode()).hexdigest()


# hostile text: the encoding's own delimiters, digits, blanks, combining marks, astral planes
TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("0123456789:-; \t\u00a0\u0301\u200bé😀a"), max_size=6),
    st.text(max_size=4),
)
ROWS = st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def content_hash_sql(render: Render) -> str:
    return render("select {{ content_hash(['a', 'b', 'c']) }} from t order by i")


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def _table(con: duckdb.DuckDBPyConnection, schema: pa.Schema, rows: list[tuple]) -> None:
    """Register the rows as the relation t."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    con.register(
        "t",
        pa.Table.from_arrays(
            [pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
        ),
    )


HASH_SCHEMA = pa.schema(
    [("i", pa.int32()), ("a", pa.string()), ("b", pa.string()), ("c", pa.string())]
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rows=ROWS)
def test_content_hash_is_the_documented_injective_encoding(
    con: duckdb.DuckDBPyConnection, content_hash_sql: str, rows: list[tuple[str | None, ...]]
) -> None:
    _table(con, HASH_SCHEMA, [(i, *r) for i, r in enumerate(rows)])
    digests = [row[0] for row in con.execute(content_hash_sql).fetchall()]
    assert digests == [python_content_hash(row) for row in rows]
    # injective: as many digests as distinct rows (the Python encoding is decodable)
    assert len(set(digests)) == len(set(rows))


# ---------------------------------------------------------------- disposition

# rows of a few keys: (key, version, payload, is_quarantined, is_erased); few distinct values,
# so copies, same-version conflicts and superseded versions are frequent
DISPOSITION_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["k1", "k2", "k3"]),
        st.one_of(st.none(), st.integers(1, 3)),
        st.sampled_from(["x", "y", "z"]),
        st.booleans(),
        st.sampled_from([False, False, False, True]),
    ),
    min_size=1,
    max_size=30,
)


def python_dispositions(rows: list[tuple], versioned: bool) -> Counter:
    """Multiset of (row, disposition), by the rule disposition() documents."""
    kept: dict[str, tuple] = {}
    for row in rows:
        key, version, _payload, quarantined, erased = row
        if quarantined or erased:
            continue
        content = tuple(None if value is None else str(value) for value in row[:3])
        rank = (version is None, -(version or 0), python_content_hash(content))
        if key not in kept or rank < kept[key][0]:
            kept[key] = (rank, row)
    result: Counter = Counter()
    staged: set[str] = set()
    for row in rows:
        key, version, _payload, quarantined, erased = row
        if erased:
            result[row, "deleted_customer"] += 1
            continue
        if quarantined:
            result[row, "quarantined"] += 1
            continue
        winner = kept[key][1]
        if row[:3] == winner[:3] and key not in staged:
            staged.add(key)
            result[row, "staged"] += 1
        elif row[:3] == winner[:3]:
            result[row, "duplicate"] += 1
        elif versioned and version != winner[1]:
            result[row, "superseded"] += 1
        else:
            result[row, "conflict"] += 1
    return result


@pytest.fixture(scope="module")
def disposition_sql(render: Render) -> dict[bool, str]:
    def sql(version: str | None) -> str:
        return render(
            "with hashed as (select *, {{ content_hash(['k', 'v', 'payload']) }} as content_hash,"
            " case when is_quarantined then 'bad' end as quarantine_reason from t) "
            "select k, v, payload, is_quarantined, is_erased, {{ disposition(['k'], "
            "'v desc nulls last', version=" + (repr(version) if version else "none") + ", "
            # no raw position here: which of two exact copies is the staged one is immaterial
            "erased='is_erased', position='k') }} from hashed"
        )

    return {True: sql("v"), False: sql(None)}


DISPOSITION_SCHEMA = pa.schema(
    [("k", pa.string()), ("v", pa.int32()), ("payload", pa.string()),
     ("is_quarantined", pa.bool_()), ("is_erased", pa.bool_())]
)  # fmt: skip


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rows=DISPOSITION_ROWS, versioned=st.booleans(), order=st.randoms(use_true_random=False))
def test_disposition_keeps_one_row_per_key_whatever_the_order(
    con: duckdb.DuckDBPyConnection,
    disposition_sql: dict[bool, str],
    rows: list[tuple],
    versioned: bool,
    order: random.Random,
) -> None:
    shuffled = rows[:]
    order.shuffle(shuffled)
    results = []
    for ordering in (rows, shuffled):
        _table(con, DISPOSITION_SCHEMA, ordering)
        got = con.execute(disposition_sql[versioned]).fetchall()
        results.append(Counter(((*row[:5],), row[5]) for row in got))
    assert results[0] == results[1]  # independent of input order
    assert results[0] == python_dispositions(rows, versioned)
    staged_keys = Counter(
        row[0] for (row, d), n in results[0].items() for _ in range(n) if d == "staged"
    )
    assert all(count == 1 for count in staged_keys.values())


# ---------------------------------------------------------------- the contract, end to end

AS_OF = "2026-09-30"  # the generator's last day: the business date of every build
PLAN_EXAMPLES = 4

# raw table -> (source, staging model, primary key)
TABLES = {
    "customers": ("shop", "stg_shop__customers", "customer_id"),
    "products": ("shop", "stg_shop__products", "product_id"),
    "orders": ("shop", "stg_shop__orders", "order_id"),
    "order_items": ("shop", "stg_shop__order_items", "order_item_id"),
    "returns": ("shop", "stg_shop__returns", "return_id"),
    "events": ("tracking", "stg_tracking__events", "event_id"),
    "consent_events": ("privacy", "stg_privacy__consent_events", "consent_event_id"),
    "deletion_requests": ("privacy", "stg_privacy__deletion_requests", "request_id"),
    "survey_responses": ("survey", "stg_survey__survey_responses", "response_id"),
}
# a valid change of content, per table: (column, values to pick a different one from); a row
# changed this way and sharing its key with the original is a conflict or a superseded version
CONFLICTS: dict[str, tuple[str, list[Any]]] = {
    "customers": ("first_name", ["Ana", "Bo", "Chen"]),
    "products": ("product_name", ["Ring A", "Ring B"]),
    "orders": ("discount_code", ["SPRING", "VIP10"]),
    "order_items": ("discount_amount", [0.0, 1.5]),
    "returns": ("reason", ["size", "defect"]),
    "events": ("platform", ["web", "app"]),
    "consent_events": ("status", ["granted", "denied", "withdrawn"]),
    "deletion_requests": ("request_channel", ["web_form", "email", "support"]),
    "survey_responses": ("value_priority", ["price", "brand"]),
}
JUNK = ["", " ", "n/a", "abc", "1e400", "12,50", "€5", "2026-02-30", "NaN", "--", "  null ", "∞"]
EXTREME_NUMBERS = [1e15, -1e15, 1e308, -0.0, 2147483647, -2147483648, float("inf"), float("nan")]
EXTREME_TIMES = [
    "1850-01-01 00:00:00", "2999-12-31 23:59:59", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
    "1900-01-01 00:00:00", "2026-09-30 23:59:59-12:00",
]  # fmt: skip
UNICODE = [
    lambda v: f" {v} ", lambda v: f"{v}\u00a0", lambda v: f"\u200b{v}", lambda v: v.upper(),
    lambda v: f"{v}\t", lambda v: f"{v}\u0301", lambda v: f"{v}😀", lambda v: v.swapcase(),
    lambda v: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in v),
]  # fmt: skip
GENERIC_KINDS = ["duplicate", "conflict", "null", "junk", "extreme", "unicode", "shuffle"]
CONSENT_KINDS = ["reuse_id_withdrawn", "gpc_signal", "unexpected_status"]
UNEXPECTED_STATUSES = ["revoked", "opt_out", "GRANTED", " Withdrawn ", None, "yes", "granted\u00a0"]

Mutation = tuple[str, str, int]  # (raw table, kind, seed picking the row, column and value)

PLANS = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(sorted(TABLES)), st.sampled_from(GENERIC_KINDS), st.integers(0, 10**6)
        ),
        st.tuples(st.just("consent_events"), st.sampled_from(CONSENT_KINDS), st.integers(0, 10**6)),
    ),
    min_size=20,
    max_size=60,
)


def contract_types() -> dict[str, dict[str, str]]:
    """Contract type of every raw column, read from the sources' YAML."""
    types: dict[str, dict[str, str]] = {}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                types[table["name"]] = {c["name"]: c["data_type"] for c in table["columns"]}
    return types


@dataclass
class RawTable:
    """A raw table as rows of Python values, with the file each row is written to."""

    schema: pa.Schema
    rows: list[dict[str, Any]]
    files: list[Path]  # one per row
    as_text: set[str]  # columns rewritten as VARCHAR (they received text)

    def write(self) -> None:
        fields = [
            pa.field(f.name, pa.string()) if f.name in self.as_text else f for f in self.schema
        ]
        schema = pa.schema(fields)
        for path in sorted(set(self.files)):
            rows = [
                {k: _as_text(v) if k in self.as_text else v for k, v in row.items()}
                for row, file in zip(self.rows, self.files, strict=True)
                if file == path
            ]
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def read_raw(raw_dir: Path) -> dict[str, RawTable]:
    tables = {}
    for table in TABLES:
        paths = [raw_dir / f"{table}.parquet"]
        if not paths[0].exists():
            paths = sorted((raw_dir / table).glob("delivered_date=*/*.parquet"))
        rows: list[dict[str, Any]] = []
        files: list[Path] = []
        schema = None
        for path in paths:
            data = pq.read_table(path, partitioning=None)
            schema = data.schema
            rows += data.to_pylist()
            files += [path] * data.num_rows
        assert schema is not None, table
        tables[table] = RawTable(schema, rows, files, set())
    return tables


def _shift(value: Any, hours: float) -> Any:
    """A timestamp (text or datetime) moved by some hours; other values unchanged."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        shifted = moment + timedelta(hours=hours)
    except (TypeError, ValueError, OverflowError):
        return value
    return shifted if isinstance(value, datetime) else shifted.isoformat(sep=" ")


def apply(
    tables: dict[str, RawTable], plan: list[Mutation], types: dict[str, dict[str, str]]
) -> None:
    """Apply a mutation plan in place (deterministic: the seeds pick rows, columns, values)."""
    for table_name, kind, seed in plan:
        table = tables[table_name]
        pick = random.Random(seed)
        if not table.rows:
            continue
        i = pick.randrange(len(table.rows))
        row = table.rows[i]
        columns = types[table_name]
        key = TABLES[table_name][2]

        def append(
            new: dict[str, Any], table: RawTable = table, pick: random.Random = pick
        ) -> None:
            table.rows.append(new)
            table.files.append(pick.choice(table.files))

        if kind == "duplicate":
            append(dict(row))
        elif kind == "conflict":
            column, values = CONFLICTS[table_name]
            others = [v for v in values if v != row[column]]
            append({**row, column: pick.choice(others)})
        elif kind == "null":
            row[pick.choice(sorted(columns))] = None
        elif kind == "junk":
            column = pick.choice(sorted(columns))
            row[column] = pick.choice(JUNK)
            table.as_text.add(column)
        elif kind == "extreme":
            numeric = [
                c for c, t in columns.items() if t.startswith(("decimal", "integer", "double"))
            ]
            times = [c for c, t in columns.items() if t.startswith("timestamp")]
            column = pick.choice(numeric + times)
            if column in numeric:
                value: Any = pick.choice(EXTREME_NUMBERS)
                if pa.types.is_integer(table.schema.field(column).type) and isinstance(
                    value, float
                ):
                    table.as_text.add(column)  # a float in an integer column: written as text
            else:
                value = pick.choice(EXTREME_TIMES)
                table.as_text.add(column)
            row[column] = value
        elif kind == "unicode":
            text_columns = [c for c, t in columns.items() if t == "varchar" and row[c] is not None]
            if text_columns:
                column = pick.choice(text_columns)
                row[column] = pick.choice(UNICODE)(str(row[column]))
        elif kind == "shuffle":
            order = list(range(len(table.rows)))
            pick.shuffle(order)
            table.rows[:] = [table.rows[j] for j in order]
        elif kind == "reuse_id_withdrawn":
            # another row's choice, recorded under this row's id as a withdrawal
            other = pick.choice(table.rows)
            hours = pick.choice([0, -1, 1, -24 * 30, 24 * 30])
            append(
                {**other, key: row[key], "status": "withdrawn",
                 "recorded_at": _shift(other["recorded_at"], hours)}
            )  # fmt: skip
        elif kind == "gpc_signal":
            append(
                {**row, key: f"CE-GPC-{seed}", "source": "gpc_signal",
                 "status": pick.choice(["granted", "withdrawn", "denied", None]),
                 "purpose": pick.choice([row["purpose"], "sale_sharing", "personalization"]),
                 "recorded_at": _shift(row["recorded_at"], pick.choice([0, 1, 24 * 7]))}
            )  # fmt: skip
        elif kind == "unexpected_status":
            row["status"] = pick.choice(UNEXPECTED_STATUSES)
        else:
            raise AssertionError(kind)


@dataclass
class Session:
    """One raw folder, warehouse and target reused by every example (partial parsing)."""

    base: Path
    raw_dir: Path
    warehouse: Path
    work: Path
    types: dict[str, dict[str, str]]
    compiled: dict[str, str]  # cached SQL rendered by dbt, see rendered()
    project: Project


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Session:
    work = tmp_path_factory.mktemp("raw_contract_properties")
    base = generate(work / "base", customers=150, days=30, seed=1, bad_rate=0.0)
    return Session(
        base, work / "raw", work / "warehouse.duckdb", work, contract_types(), {}, project
    )


BUILD = [
    "build",
    "--select", "+segment_activation_export", "+segments", "+int_consent_periods_derived", "staging",
    "--exclude-resource-type", "unit_test",
    # the data tests of staging (keys, reconciliation, the contract) run; the others are not
    # about raw input and would double the time of an example
    "--exclude", *(f"resource_type:test,path:{p}" for p in ("models/intermediate", "models/marts", "tests", "snapshots", "seeds")),
    "--vars", json.dumps({"reject_share_severity": "warn", "as_of": AS_OF}),
]  # fmt: skip


def rendered(session: Session, name: str, sql: str) -> str:
    """SQL with project macros rendered by dbt once per session (the raw folder, its layout and
    the warehouse path stay the same across examples, so the rendering does too)."""
    if name not in session.compiled:
        session.compiled[name] = session.project.render(sql, build=session)  # type: ignore[arg-type]
    return session.compiled[name]


def protected_choices_sql(raw_dir: Path) -> str:
    """(customer_id, purpose) whose latest raw consent row known on the business date is
    protective: withdrawn, denied, any status but 'granted' (read as withdrawn), or a GPC signal.
    Rows at the latest instant all count (any ordering, any shared id). Only rows attributable as
    staging would: a trimmed id, a known purpose, a recorded_at that parses and is plausible."""
    return f"""
        with raw as (
            select
                trim(cast(customer_id as varchar)) as customer_id,
                lower(trim(cast(purpose as varchar))) as purpose,
                coalesce(lower(trim(cast(status as varchar))), '') as status,
                coalesce(lower(trim(cast(source as varchar))), '') as source,
                try_cast(trim(cast(recorded_at as varchar)) as timestamptz) at time zone 'UTC'
                    as recorded_at
            from read_parquet('{raw_dir}/consent_events.parquet')
        ),
        known as (
            select * from raw
            where
                purpose in ('analytics', 'personalization', 'marketing_email', 'sale_sharing')
                and customer_id <> ''
                and recorded_at >= timestamp '1900-01-01'
                and recorded_at < timestamp '{AS_OF}' + interval 1 day
        ),
        latest as (
            select * from known
            qualify recorded_at = max(recorded_at) over (partition by customer_id, purpose)
        )
        select customer_id, purpose
        from latest
        group by all
        having bool_or(status <> 'granted' or source = 'gpc_signal')
    """


def check_build(session: Session, plan: list[Mutation]) -> None:
    shutil.rmtree(session.raw_dir, ignore_errors=True)
    shutil.copytree(session.base, session.raw_dir)
    tables = read_raw(session.raw_dir)
    apply(tables, plan, session.types)
    for table in tables.values():
        table.write()
    session.warehouse.unlink(missing_ok=True)

    result = dbt(BUILD, session.raw_dir, session.warehouse, session.work)
    # malformed data never stops the build: only a broken contract does
    assert result.returncode == 0, (plan, result.output[-4000:])

    deletion_requests_sql = rendered(
        session, "deletion_requests",
        "select count(*) from {{ ref('stg_privacy__deletion_requests') }}",
    )  # fmt: skip
    pseudonym_sql = rendered(
        session, "pseudonym", "select {{ pseudonymize('customer_id', 'customer_id') }}"
    )
    con = connect(session.warehouse)
    con.execute("set TimeZone = 'UTC'")
    try:
        for table, (source, model, _) in TABLES.items():
            raw = len(tables[table].rows)
            if table == "deletion_requests":
                staged = con.execute(deletion_requests_sql).fetchall()[0][0]
            else:
                staged = con.execute(f"select count(*) from staging.{model}").fetchall()[0][0]
            logged = dict(
                con.execute(
                    f"select disposition, count(*) from staging.stg_{source}__quarantined_rows "
                    f"where source_table = '{table}' group by 1"
                ).fetchall()
            )
            not_staged = sum(
                logged.get(kind, 0)
                for kind in (
                    "quarantined",
                    "duplicate",
                    "superseded",
                    "conflict",
                    "deleted_customer",
                )
            )
            assert raw == staged + not_staged, (table, raw, staged, logged, plan)

        # consent fails closed: the oracle's protected (customer, purpose) pairs, as keys
        key_expression = pseudonym_sql.removeprefix("select").strip()
        con.execute(
            "create temp table protected as select "
            + key_expression
            + " as customer_key, purpose, customer_id from ("
            + protected_choices_sql(session.raw_dir)
            + ")"
        )
        allowed = con.execute(
            f"""
            select p.customer_id, p.purpose, c.period_status
            from protected as p
            inner join intermediate.int_consent_periods_derived as c
                on c.customer_key = p.customer_key and c.consent_purpose = p.purpose
            where
                c.is_allowed
                and coalesce(c.valid_from, timestamp '-infinity') < timestamp '{AS_OF}' + interval 1 day
                and coalesce(c.valid_to, timestamp 'infinity') >= timestamp '{AS_OF}' + interval 1 day
            order by all
            """
        ).fetchall()
        assert allowed == [], (allowed, plan)
        exposed = con.execute(
            """
            select p.customer_id, m.segment_id, 'membership'
            from marts.segment_membership as m
            inner join protected as p
                on p.customer_key = m.customer_key and p.purpose = m.required_purpose
            union all
            select p.customer_id, e.segment_id, 'export'
            from marts.segment_activation_export as e
            inner join marts.segments as s using (segment_id)
            inner join protected as p
                on p.customer_key = e.customer_key and p.purpose = s.required_purpose
            order by all
            """
        ).fetchall()
        assert exposed == [], (exposed, plan)
    finally:
        con.close()


@pytest.mark.build
@settings(
    max_examples=PLAN_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=PLANS)
# defects the property found, minimal plans (both failed on 66a9fb0):
# a US customer's latest personalization denial re-used as the id of another customer's
# withdrawal was dropped as a conflict, so the customer was allowed again (no_choice, opt-out)
@example(plan=[("consent_events", "reuse_id_withdrawn", 11)])
# the only deletion request quarantined (null requested_at): a 100% reject share failed the
# build although var reject_share_severity was 'warn'
@example(plan=[("deletion_requests", "null", 0)])
def test_random_raw_mutations_lose_no_row_and_expose_no_one(
    session: Session, plan: list[Mutation]
) -> None:
    check_build(session, plan)
