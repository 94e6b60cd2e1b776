"""Read access to a built warehouse from tests, with the pseudonymization pads set."""

from __future__ import annotations

from pathlib import Path

import duckdb

from segwarehouse.dbt_plugin import resolve_key, set_key_variables


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(warehouse), read_only=True)
    set_key_variables(con, resolve_key({})[0])
    return con


def raw_reader(raw_dir: Path, table: str) -> str:
    """A DuckDB table expression over a raw table, found the way the contract says."""
    if (raw_dir / f"{table}.parquet").exists():
        return f"read_parquet('{raw_dir}/{table}.parquet')"
    if (raw_dir / table).is_dir():
        return f"read_parquet('{raw_dir}/{table}/*.parquet')"
    return f"read_csv('{raw_dir}/{table}.csv', header = true, all_varchar = true)"


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]
