"""Read access to a built warehouse from tests, with the pseudonymization pads set."""

from __future__ import annotations

from pathlib import Path

import duckdb

from segwarehouse.dbt_plugin import (
    IDENTITY_CATALOG,
    identity_path,
    register_functions,
    resolve_key,
    set_key_variables,
)


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse read-only, with its identity file attached read-only as `restricted` (as
    the profile does) when it exists: `restricted.stg_shop__customer_identities` resolves."""
    con = duckdb.connect(str(warehouse), read_only=True)
    identity = identity_path(warehouse, {})
    if identity.exists():
        con.execute(f"attach '{identity}' as {IDENTITY_CATALOG} (read_only)")
    set_key_variables(con, resolve_key({})[0])
    register_functions(con)
    return con


def raw_reader(raw_dir: Path, table: str) -> str:
    """A DuckDB table expression over a raw table, found the way the contract says."""
    if (raw_dir / f"{table}.parquet").exists():
        return f"read_parquet('{raw_dir}/{table}.parquet')"
    if any((raw_dir / table).glob("delivered_date=*")):
        return f"read_parquet('{raw_dir}/{table}/delivered_date=*/*.parquet')"
    if (raw_dir / table).is_dir():
        return f"read_parquet('{raw_dir}/{table}/*.parquet')"
    return f"read_csv('{raw_dir}/{table}.csv', header = true, all_varchar = true)"


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


def add_withdrawal(
    raw: Path,
    customer_id: str,
    at: str,
    purpose: str = "personalization",
    consent_version: str = "us-2025-01",
    jurisdiction: str = "US-CA",
) -> None:
    """Append a withdrawal of `purpose` by `customer_id` recorded at `at` to the raw consent."""
    add_consent_event(
        raw,
        customer_id,
        at,
        "withdrawn",
        purpose,
        consent_version,
        jurisdiction,
        "account_settings",
    )


def add_consent_event(
    raw: Path,
    customer_id: str,
    at: str,
    status: str,
    purpose: str,
    consent_version: str,
    jurisdiction: str,
    source: str = "banner",
) -> None:
    """Append one consent choice (id CE-TEST-<status>-<customer_id>) to the raw consent."""
    path = raw / "consent_events.parquet"
    con = duckdb.connect()
    con.execute(
        f"""
        copy (
            select * from read_parquet('{path}')
            union all by name
            select 'CE-TEST-{status}-{customer_id}' as consent_event_id,
                '{customer_id}' as customer_id, '{purpose}' as purpose, '{status}' as status,
                '{consent_version}' as consent_version, '{source}' as source,
                '{jurisdiction}' as jurisdiction, '{at}' as recorded_at
        ) to '{path}.new' (format parquet)
        """
    )
    con.close()
    Path(f"{path}.new").replace(path)


def add_events(raw: Path, delivered_date: str, rows: list[dict[str, str | None]]) -> None:
    """Write raw events (dicts of the raw event columns; missing columns are null) as an extra
    file of the delivery folder events/delivered_date=<delivered_date>/."""
    columns = [
        "event_id", "anonymous_id", "customer_id", "session_id", "event_type", "platform",
        "product_id", "properties", "event_at", "received_at",
    ]  # fmt: skip
    folder = raw / "events" / f"delivered_date={delivered_date}"
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        "create table added ("
        + ", ".join(f"{c} {'timestamp' if c.endswith('_at') else 'varchar'}" for c in columns)
        + ")"
    )
    con.executemany(
        f"insert into added values ({', '.join('?' for _ in columns)})",
        [[row.get(c) for c in columns] for row in rows],
    )
    con.execute(f"copy added to '{folder}/part-test.parquet' (format parquet)")
    con.close()
