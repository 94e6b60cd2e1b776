"""Publish the public marts for BI tools, atomically, after a successful dbt build.

    python -m segwarehouse.publish [--warehouse warehouse.duckdb] [--serving-dir serving]

BI tools never open the warehouse file (a reader's lock would make the next `dbt build` fail).
They read a published copy:

- ``serving/published.duckdb``: every relation of the public schemas (marts, compliance, audit), with
  their descriptions, in DuckDB storage format v1.2.0 so DuckDB 1.2+ clients (most BI drivers)
  can open it; plus a ``_publication`` table saying what was published, from which build. (The
  file's name is its catalog name in DuckDB: it must differ from the schema names, or
  ``marts.segments`` would be ambiguous.)
- ``serving/parquet/current/<schema>.<relation>.parquet``: the same relations as Parquet.

Each is written completely under a temporary name and then swapped in with an atomic rename
(the Parquet folder through a symlink), so a reader sees the old or the new version, whole, and a
reader holding the old file keeps reading it undisturbed. Publishing refuses when the last dbt
run (target/run_results.json) was not a build that succeeded: a failed build publishes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

PUBLIC_SCHEMAS = ("marts", "compliance", "audit")
STORAGE_VERSION = "v1.2.0"
OK_STATUSES = {"success", "pass", "warn", "no-op"}  # no-op: exposures


class PublishError(RuntimeError):
    """Nothing was published; the message says why."""


def check_last_build(run_results: Path) -> dict:
    """The last dbt invocation must be a build in which every node succeeded."""
    if not run_results.exists():
        raise PublishError(f"{run_results} not found: run `dbt build` first")
    results = json.loads(run_results.read_text())
    args = results.get("args", {})
    command = args.get("which") or args.get("command")
    if command != "build":
        raise PublishError(f"the last dbt run was `{command}`, not `build`: nothing published")
    failed = [r["unique_id"] for r in results["results"] if r["status"] not in OK_STATUSES]
    if failed:
        raise PublishError(
            f"the last dbt build failed ({len(failed)} nodes, e.g. {failed[0]}): nothing published"
        )
    return results


def public_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    placeholders = ", ".join("?" for _ in PUBLIC_SCHEMAS)
    return [
        (schema, name, comment)
        for schema, name, comment in con.execute(
            f"""
            select schema_name, table_name, comment from duckdb_tables()
            where database_name = 'warehouse' and schema_name in ({placeholders})
            order by schema_name, table_name
            """,
            list(PUBLIC_SCHEMAS),
        ).fetchall()
    ]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(warehouse: Path, serving_dir: Path, run_results: Path) -> dict:
    results = check_last_build(run_results)
    serving_dir.mkdir(parents=True, exist_ok=True)
    parquet_root = serving_dir / "parquet"
    parquet_root.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    temporary = serving_dir / f".published-{stamp}-{os.getpid()}.duckdb"
    version_dir = parquet_root / f"v{stamp}"
    version_dir.mkdir()
    con = duckdb.connect()
    try:
        con.execute(f"attach {_literal(str(warehouse))} as warehouse (read_only)")
        relations = public_relations(con)
        if not relations:
            raise PublishError(f"{warehouse} holds no relation in {', '.join(PUBLIC_SCHEMAS)}")
        con.execute(
            f"attach {_literal(str(temporary))} as serving (storage_version '{STORAGE_VERSION}')"
        )
        counts = {}
        for schema, name, comment in relations:
            source = f"warehouse.{_quote(schema)}.{_quote(name)}"
            target = f"serving.{_quote(schema)}.{_quote(name)}"
            con.execute(f"create schema if not exists serving.{_quote(schema)}")
            con.execute(f"create table {target} as select * from {source}")
            if comment:
                con.execute(f"comment on table {target} is {_literal(comment)}")
            for column, column_comment in con.execute(
                "select column_name, comment from duckdb_columns() where database_name = "
                "'warehouse' and schema_name = ? and table_name = ? and comment is not null",
                [schema, name],
            ).fetchall():
                con.execute(
                    f"comment on column {target}.{_quote(column)} is {_literal(column_comment)}"
                )
            parquet = version_dir / f"{schema}.{name}.parquet"
            con.execute(f"copy {source} to {_literal(str(parquet))} (format parquet)")
            counts[f"{schema}.{name}"] = con.execute(f"select count(*) from {source}").fetchall()[
                0
            ][0]
        publication = {
            "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "dbt_invocation_id": results.get("metadata", {}).get("invocation_id"),
            "dbt_generated_at": results.get("metadata", {}).get("generated_at"),
            "as_of": _as_of(con),
            "relations": counts,
        }
        con.execute(
            "create table serving.main._publication as select ? as published_at, "
            "? as dbt_invocation_id, ? as as_of, ? as relations_json",
            [
                publication["published_at"],
                publication["dbt_invocation_id"],
                publication["as_of"],
                json.dumps(counts, sort_keys=True),
            ],
        )
        con.execute("detach serving")
    except Exception:
        temporary.unlink(missing_ok=True)
        shutil.rmtree(version_dir, ignore_errors=True)
        raise
    finally:
        con.close()
    (version_dir / "_publication.json").write_text(json.dumps(publication, indent=2) + "\n")
    _swap(temporary, serving_dir / "published.duckdb")
    _swap_symlink(parquet_root / "current", version_dir.name)
    _prune(parquet_root, keep={version_dir.name})
    return publication


def _as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        value = con.execute(
            "select max(as_of_date) from warehouse.marts.customer_features"
        ).fetchall()[0][0]
    except duckdb.Error:
        return None
    return None if value is None else str(value)


def _swap(source: Path, target: Path) -> None:
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)


def _swap_symlink(link: Path, target_name: str) -> None:
    temporary = link.with_name(f".{link.name}-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target_name)
    os.replace(temporary, link)


def _prune(parquet_root: Path, keep: set[str]) -> None:
    """Keep the current Parquet version and the one before it (a reader may still be on it)."""
    versions = sorted(p for p in parquet_root.iterdir() if p.is_dir() and p.name.startswith("v"))
    for old in versions[:-2]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb")),
    )
    parser.add_argument(
        "--serving-dir", type=Path, default=Path(os.environ.get("SERVING_DIR", "serving"))
    )
    parser.add_argument("--run-results", type=Path, default=Path("target/run_results.json"))
    args = parser.parse_args(argv)
    try:
        publication = publish(args.warehouse, args.serving_dir, args.run_results)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    total = sum(publication["relations"].values())
    print(
        f"published {len(publication['relations'])} relations ({total:,} rows) as of "
        f"{publication['as_of']} to {args.serving_dir / 'published.duckdb'} and "
        f"{args.serving_dir / 'parquet' / 'current'}/"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
