"""Print where the warehouse is and what a build made of the raw data.

Usage: ``python -m segwarehouse.tools.summary --warehouse warehouse.duckdb``

Row counts per layer (schema) and relation, and per raw table the rows staged, quarantined,
removed as duplicates and repaired, with the most frequent quarantine reasons. The identity file
(the ``restricted`` layer, kept out of the warehouse file) is counted too, never shown.
"""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import duckdb

from segwarehouse.dbt_plugin import (
    IDENTITY_CATALOG,
    identity_path,
    resolve_key,
    set_key_variables,
)

LAYER_ORDER = ["staging", "restricted", "intermediate", "marts", "snapshots", "reference"]


def _quarantine_logs(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_name like 'stg_%__quarantined_rows' order by table_name"
    ).fetchall()
    return [f'"{schema}"."{name}"' for schema, name in rows]


def relation_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(schema, relation, kind, rows) for every relation of the warehouse and of the identity
    file if attached (as schema ``restricted``)."""
    relations = con.execute(
        "select table_catalog, table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog in (current_database(), ?) order by all",
        [IDENTITY_CATALOG],
    ).fetchall()
    counts = []
    for catalog, schema, name, kind in relations:
        (rows,) = con.execute(f'select count(*) from "{catalog}"."{schema}"."{name}"').fetchall()[0]
        layer = IDENTITY_CATALOG if catalog == IDENTITY_CATALOG else schema
        counts.append((layer, name, "view" if kind == "VIEW" else "table", int(rows)))
    return counts


def quarantine_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(source table, disposition, rows) over every source's quarantine log."""
    logs = _quarantine_logs(con)
    if not logs:
        return []
    union = " union all ".join(f"select source_table, disposition from {log}" for log in logs)
    return con.execute(
        f"select source_table, disposition, count(*) from ({union}) group by all order by all"
    ).fetchall()


def top_reasons(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent quarantine reasons: (source table, reason, rows)."""
    logs = _quarantine_logs(con)
    if not logs:
        return []
    union = " union all ".join(
        f"select source_table, reason from {log} where disposition = 'quarantined'" for log in logs
    )
    return con.execute(
        f"select source_table, reason, count(*) as n from ({union}) "
        f"group by all order by n desc, source_table, reason limit {limit}"
    ).fetchall()


def render(warehouse: Path, identity: Path | None = None) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        if identity is not None and identity.exists():
            con.execute(f"attach '{identity}' as {IDENTITY_CATALOG} (read_only)")
        set_key_variables(con, resolve_key()[0])
        relations = relation_counts(con)
        quarantine = quarantine_counts(con)
        reasons = top_reasons(con)
    finally:
        con.close()

    lines = [f"Warehouse: {warehouse.resolve()}"]
    if identity is not None and identity.exists():
        mode = stat.S_IMODE(identity.stat().st_mode)
        lines.append(f"Identity file (e-mails and names): {identity.resolve()} (mode {mode:04o})")
    else:
        lines.append(f"Identity file: {identity} not found")
    lines += ["", "Rows per layer:"]
    schemas = sorted(
        {r[0] for r in relations},
        key=lambda s: (LAYER_ORDER.index(s) if s in LAYER_ORDER else len(LAYER_ORDER), s),
    )
    for schema in schemas:
        members = [r for r in relations if r[0] == schema]
        total = sum(r[3] for r in members)
        lines.append(f"  {schema:<14} {len(members):>3} relations {total:>14,} rows")
        for _, name, kind, rows in members:
            lines.append(f"      {name:<44} {kind:<5} {rows:>14,}")
    lines += ["", "Raw rows not staged as they came (quarantine logs):"]
    if not quarantine:
        lines.append("  none")
    for table, disposition, rows in quarantine:
        lines.append(f"  {table:<20} {disposition:<12} {rows:>12,}")
    total_quarantined = sum(r[2] for r in quarantine if r[1] == "quarantined")
    lines.append(f"  rows quarantined in all: {total_quarantined:,}")
    if reasons:
        lines += ["", "Most frequent quarantine reasons:"]
        for table, reason, rows in reasons:
            lines.append(f"  {table:<20} {rows:>8,}  {reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("warehouse.duckdb"))
    parser.add_argument(
        "--identity",
        type=Path,
        help="the identity file (default: env DBT_IDENTITY_PATH, else "
        "the warehouse path with .duckdb replaced by .identity.duckdb)",
    )
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        raise SystemExit(f"warehouse file {args.warehouse} does not exist: run `make build`")
    identity = args.identity
    if identity is None:
        try:
            identity = identity_path(args.warehouse)
        except ValueError as error:
            raise SystemExit(str(error)) from None
    print(render(args.warehouse, identity))


if __name__ == "__main__":
    main()
