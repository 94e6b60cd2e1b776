"""Publish the public marts for BI tools in one atomic step, after a completed dbt build.

    python -m segwarehouse.tools.publish [--warehouse warehouse.duckdb] [--serving-dir serving]

BI tools never open the warehouse file (a reader's lock would make the next `dbt build` fail).
They read a published copy, at paths that never change:

- ``serving/published.duckdb``: every relation of the public schemas (marts, compliance, audit), with
  their descriptions, in DuckDB storage format v1.2.0 so DuckDB 1.2+ clients (most BI drivers)
  can open it; plus a ``_publication`` table saying which publication it is, from which build.
  (The file's name is its catalog name in DuckDB: it must differ from the schema names, or
  ``marts.segments`` would be ambiguous.)
- ``serving/parquet/current/<schema>.<relation>.parquet``: the same relations as Parquet, each
  file carrying its publication in its key-value metadata (``publication``).
- ``serving/current/_publication.json``: what was published (stamp, build, as_of, row counts).

A publication is one folder ``serving/publications/<stamp>/`` (``published.duckdb``,
``parquet/``, and ``_publication.json`` written last as its completeness marker), fsynced, then
made current by atomically replacing ONE symlink, ``serving/current -> publications/<stamp>``.
The reader paths above are fixed symlinks through ``current``
(``published.duckdb -> current/published.duckdb``, ``parquet/current -> ../current/parquet``),
so both formats switch together: a reader resolves either the old or the new publication,
whole, never a mix. A reader that opens several Parquet files should resolve
``serving/current`` once (``realpath``) and read under that folder, or check each file's
``publication``. A reader holding an old file keeps reading it undisturbed.

Each publish first removes what killed publishes left behind (publication folders without a
marker, temporary links), and afterwards keeps only the current and the previous complete
publication. Publishes are serialized by a lock on ``serving/.publish.lock``.

Publishing refuses unless the last dbt invocation on the warehouse is a completed, successful
full ``dbt build``: ops.dbt_invocations (recorded by the project's on-run-start/on-run-end hooks,
macro record_dbt_invocation) must show the newest invocation as a finished, successful build
without node selection, and target/run_results.json must be that invocation's. A build killed
mid-run never finishes its record, so a half-rebuilt warehouse is never published.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb

PUBLIC_SCHEMAS = ("marts", "compliance", "audit")
STORAGE_VERSION = "v1.2.0"
OK_STATUSES = {"success", "pass", "warn", "no-op"}  # no-op: exposures
INVOCATIONS = "ops.dbt_invocations"
PUBLICATIONS = "publications"
CURRENT = "current"
MARKER = "_publication.json"
LOCK = ".publish.lock"
# fixed reader paths (relative to the serving folder) -> their symlink targets
READER_LINKS = {
    Path("published.duckdb"): f"{CURRENT}/published.duckdb",
    Path("parquet") / CURRENT: f"../{CURRENT}/parquet",
}


class PublishError(RuntimeError):
    """Nothing was published; the message says why."""


# ---------------------------------------------------------------- the build to publish


def _last_invocation(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dict:
    try:
        rows = con.execute(
            f"""
            select invocation_id, command, node_selection, is_success, failed_count,
                cast(started_at as varchar), cast(finished_at as varchar)
            from warehouse.{INVOCATIONS}
            order by started_at desc, invocation_id desc
            limit 1
            """
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    if not rows:
        raise PublishError(
            f"{warehouse} records no dbt invocation ({INVOCATIONS} is missing or empty): "
            "run `dbt build` with this project first"
        )
    keys = ("invocation_id", "command", "node_selection", "is_success", "failed_count")
    return dict(zip((*keys, "started_at", "finished_at"), rows[0], strict=True))


def check_last_build(con: duckdb.DuckDBPyConnection, warehouse: Path, run_results: Path) -> dict:
    """The newest invocation recorded in the warehouse must be a finished, successful, full
    `dbt build`, and run_results.json must be that build's, with every node succeeded."""
    last = _last_invocation(con, warehouse)
    which = f"the last dbt invocation on {warehouse} ({last['invocation_id']}, started {last['started_at']} UTC)"
    if last["command"] != "build":
        raise PublishError(f"{which} was `dbt {last['command']}`, not `dbt build`")
    if last["finished_at"] is None:
        raise PublishError(
            f"{which} never finished: it was killed or crashed mid-run, so the warehouse may be "
            "half rebuilt. Run `dbt build` again"
        )
    if not last["is_success"]:
        raise PublishError(f"{which} failed ({last['failed_count']} nodes did not succeed)")
    if last["node_selection"] is not None:
        raise PublishError(
            f"{which} built only a selection ({last['node_selection']}): run a full `dbt build`"
        )
    if not run_results.exists():
        raise PublishError(f"{run_results} not found: run `dbt build` first")
    results = json.loads(run_results.read_text())
    invocation_id = results.get("metadata", {}).get("invocation_id")
    if invocation_id != last["invocation_id"]:
        raise PublishError(
            f"{run_results} is from invocation {invocation_id}, not from {which}: "
            "pass the build's run_results.json with --run-results, or run `dbt build` again"
        )
    failed = [r["unique_id"] for r in results["results"] if r["status"] not in OK_STATUSES]
    if failed:
        raise PublishError(f"the last dbt build failed ({len(failed)} nodes, e.g. {failed[0]})")
    return results


# ---------------------------------------------------------------- writing one publication


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


def _write_publication(
    con: duckdb.DuckDBPyConnection, warehouse: Path, folder: Path, stamp: str, results: dict
) -> dict:
    """Everything of one publication into `folder`, fsynced, the marker last."""
    relations = public_relations(con)
    if not relations:
        raise PublishError(f"{warehouse} holds no relation in {', '.join(PUBLIC_SCHEMAS)}")
    parquet_dir = folder / "parquet"
    parquet_dir.mkdir()
    database = folder / "published.duckdb"
    con.execute(
        f"attach {_literal(str(database))} as serving (storage_version '{STORAGE_VERSION}')"
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
        parquet = parquet_dir / f"{schema}.{name}.parquet"
        con.execute(
            f"copy {target} to {_literal(str(parquet))} "
            f"(format parquet, kv_metadata {{publication: {_literal(stamp)}}})"
        )
        counts[f"{schema}.{name}"] = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    publication = {
        "publication": stamp,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dbt_invocation_id": results.get("metadata", {}).get("invocation_id"),
        "dbt_generated_at": results.get("metadata", {}).get("generated_at"),
        "as_of": _as_of(con),
        "relations": counts,
    }
    con.execute(
        "create table serving.main._publication as select ? as publication, ? as published_at, "
        "? as dbt_invocation_id, ? as as_of, ? as relations_json",
        [
            stamp,
            publication["published_at"],
            publication["dbt_invocation_id"],
            publication["as_of"],
            json.dumps(counts, sort_keys=True),
        ],
    )
    con.execute("detach serving")
    for path in (database, *parquet_dir.iterdir()):
        _fsync(path)
    _fsync(parquet_dir)
    marker = folder / f".{MARKER}.tmp"
    marker.write_text(json.dumps(publication, indent=2) + "\n")
    _fsync(marker)
    os.replace(marker, folder / MARKER)
    _fsync(folder)
    return publication


def _as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        value = con.execute(
            "select max(as_of_date) from warehouse.marts.customer_features"
        ).fetchall()[0][0]
    except duckdb.Error:
        return None
    return None if value is None else str(value)


# ---------------------------------------------------------------- the serving folder


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_complete(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def current_publication(serving_dir: Path) -> Path | None:
    """The publication folder `serving/current` points at, if it is a complete one."""
    link = serving_dir / CURRENT
    if not link.is_symlink():
        return None
    target = (serving_dir / os.readlink(link)).resolve()
    return target if target.is_dir() and _is_complete(target) else None


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` in one atomic rename (a reader resolves the old or the new)."""
    temporary = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)
    _fsync(link.parent)


def clean_leftovers(serving_dir: Path) -> list[Path]:
    """Remove what killed publishes left: publication folders without a marker (never the
    current one), temporary links and files."""
    current = current_publication(serving_dir)
    removed = []
    publications = serving_dir / PUBLICATIONS
    for folder in sorted(publications.iterdir()) if publications.is_dir() else []:
        if folder != current and not (folder.is_dir() and _is_complete(folder)):
            removed.append(folder)
    for folder in (serving_dir, serving_dir / "parquet"):
        if folder.is_dir():
            removed += [p for p in folder.iterdir() if ".tmp-" in p.name]
    removed += list(serving_dir.glob(".published-*.duckdb"))  # the earlier layout's temporaries
    _remove(removed)
    return removed


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _ensure_reader_links(serving_dir: Path) -> None:
    """The fixed reader paths, as symlinks through `current` (created once; a regular
    published.duckdb of the earlier layout is replaced atomically)."""
    for path, target in READER_LINKS.items():
        link = serving_dir / path
        link.parent.mkdir(exist_ok=True)
        if not (link.is_symlink() and os.readlink(link) == target):
            _replace_symlink(link, target)


def _prune(serving_dir: Path, keep: set[Path]) -> None:
    """Keep the current and the previous complete publication (a reader may still be on it);
    the earlier layout's Parquet versions (parquet/v*) go once the reader links are switched."""
    stale = [p for p in (serving_dir / PUBLICATIONS).iterdir() if p.resolve() not in keep]
    _remove(stale + [p for p in (serving_dir / "parquet").glob("v*") if p.is_dir()])


@contextlib.contextmanager
def _lock(serving_dir: Path) -> Iterator[None]:
    with open(serving_dir / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish into {serving_dir} is running") from None
        yield  # released when the file is closed, or when the process dies


def publish(warehouse: Path, serving_dir: Path, run_results: Path) -> dict:
    serving_dir.mkdir(parents=True, exist_ok=True)
    with _lock(serving_dir):
        clean_leftovers(serving_dir)
        publications = serving_dir / PUBLICATIONS
        publications.mkdir(exist_ok=True)
        con = duckdb.connect()
        try:
            con.execute(f"attach {_literal(str(warehouse))} as warehouse (read_only)")
            results = check_last_build(con, warehouse, run_results)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            folder = publications / stamp
            folder.mkdir()  # exclusive: never an existing publication
            _fsync(publications)
            try:
                publication = _write_publication(con, warehouse, folder, stamp, results)
            except BaseException:
                con.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise
        finally:
            con.close()
        previous = current_publication(serving_dir)
        _replace_symlink(serving_dir / CURRENT, f"{PUBLICATIONS}/{stamp}")
        _ensure_reader_links(serving_dir)
        _prune(serving_dir, keep={folder.resolve(), *([previous] if previous else [])})
    return publication


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
    parser.add_argument(
        "--run-results",
        type=Path,
        default=Path(os.environ.get("DBT_TARGET_PATH", "target")) / "run_results.json",
    )
    args = parser.parse_args(argv)
    try:
        publication = publish(args.warehouse, args.serving_dir, args.run_results)
    except PublishError as error:
        print(f"publish: {error}: nothing published", file=sys.stderr)
        return 1
    total = sum(publication["relations"].values())
    print(
        f"published {len(publication['relations'])} relations ({total:,} rows) as of "
        f"{publication['as_of']}, publication {publication['publication']}, to "
        f"{args.serving_dir / 'published.duckdb'} and {args.serving_dir / 'parquet' / CURRENT}/"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
