"""The auditor's package: a segment as of a past business day, reproduced from the snapshots.

    python -m segwarehouse.tools.audit --segment vip_high_value --date 2026-09-20 \\
        [--warehouse warehouse.duckdb] [--out audit]

writes ``<out>/<segment>/<date>/``:

- ``package.pdf``: the spec in force that day and its version history, the rule SQL, the notices
  its members were processed under, the reproduction proof, the lift read-out with charts, the
  change log around the day, a sample of pseudonymous member rows and the data-quality state of
  the inputs (``segwarehouse.tools.audit_report``);
- ``package.json``: the same content, machine-readable;
- ``members_recorded.csv`` / ``members_reproduced.csv``: the members segment_history recorded
  that day, and those the rule version in force selects when re-run on the snapshots alone.

The reproduction is macro ``reproduce_segment_members`` and the record macro
``recorded_segment_members`` (the same macros analyses/reproduce_segment.sql and the tests use),
compiled by dbt against the warehouse and run read-only. Exit codes: 0 when the reproduction
equals the record, 1 when it differs (the package is written, with the differences), 2 when
the request cannot be audited (unknown segment, a date history does not cover, no warehouse).
Only pseudonymous keys leave the warehouse: the identity file is never read.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from segwarehouse.tools.history import SNAPSHOTS, business_date, last_run_day, relation_exists
from segwarehouse.tools.simulate import release_warehouse

ROOT = Path(__file__).resolve().parents[2]
MEMBER_COLUMNS = (
    "customer_key",
    "segment_version",
    "legal_ground",
    "consent_version",
    "experiment_arm",
)
SPEC_FIELDS = (
    "segment_id", "segment_version", "segment_name", "description", "owner", "author",
    "lawful_basis", "required_purpose", "risk_level", "retention_days", "persistence",
    "holdout_pct", "downstream_uses", "feature_columns", "valid_from", "valid_to",
    "change_reason", "definition_hash", "rule_sql",
)  # fmt: skip
CHANGE_WINDOW_DAYS = 14
SPLIT = "-- segwarehouse-audit: recorded members follow"
SAMPLE_ROWS = 20
READOUT_COLUMNS = (
    "kpi_date", "members", "treatment_members", "holdout_members", "treatment_exposed",
    "treatment_converted", "holdout_exposed", "holdout_converted", "treatment_conversion_rate",
    "treatment_conversion_ci_lower", "treatment_conversion_ci_upper", "holdout_conversion_rate",
    "holdout_conversion_ci_lower", "holdout_conversion_ci_upper", "absolute_lift",
    "absolute_lift_ci_lower", "absolute_lift_ci_upper", "relative_lift", "lift_p_value",
    "is_readout_reliable", "exposure_violations",
)  # fmt: skip
# rejected = not staged for a defect (test rows_reconcile's reject share)
REJECTED = ("quarantined", "conflict")


class AuditError(Exception):
    """The request cannot be audited; nothing was written."""


@dataclass
class Package:
    segment_id: str
    audit_date: dt.date
    warehouse: str
    spec: dict
    versions: list[dict]
    notices: list[dict]
    proof: dict
    readout: dict
    changes: list[dict]
    sample: list[dict]
    data_quality: dict
    recorded: list[dict] = field(repr=False, default_factory=list)
    reproduced: list[dict] = field(repr=False, default_factory=list)

    def as_json(self) -> dict:
        return {
            "segment_id": self.segment_id,
            "audit_date": self.audit_date.isoformat(),
            "warehouse": self.warehouse,
            "spec": self.spec,
            "versions": self.versions,
            "notices": self.notices,
            "reproduction": self.proof,
            "lift": self.readout,
            "change_log": self.changes,
            "member_sample": self.sample,
            "data_quality": self.data_quality,
        }


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [
        {name: _jsonable(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


@contextlib.contextmanager
def _read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def check_request(warehouse: Path, segment_id: str, day: dt.date) -> None:
    """Refuse, naming what is wrong, a request the history cannot answer."""
    if not warehouse.exists():
        raise AuditError(f"warehouse {warehouse} does not exist: run make build (or --warehouse)")
    with _read_only(warehouse) as con:
        missing = [relation for relation in SNAPSHOTS if not relation_exists(con, relation)]
        if missing:
            raise AuditError(
                f"warehouse {warehouse} has no history ({', '.join(missing)} missing): "
                "run make build or make simulate first"
            )
        known = [
            row[0]
            for row in con.execute(
                "select distinct segment_id from history.segment_registry_history order by 1"
            ).fetchall()
        ]
        if segment_id not in known:
            raise AuditError(
                f"unknown segment '{segment_id}': history.segment_registry_history records "
                f"{', '.join(known) or 'no segment'}"
            )
        first = con.execute(
            "select cast(min(dbt_valid_from) as date) from history.segment_history"
        ).fetchall()[0][0]
        last = last_run_day(con, list(SNAPSHOTS))
        if first is None or last is None or not first <= day <= last:
            covered = f"{first} to {last}" if first and last else "no day"
            raise AuditError(
                f"history does not cover {day}: segment_history records {covered} in {warehouse}"
            )
        in_force = con.execute(
            "select count(*) from history.segment_registry_history where segment_id = ? "
            "and cast(dbt_valid_from as date) <= ? "
            "and (dbt_valid_to is null or ? < cast(dbt_valid_to as date)) "
            "and (valid_from is null or valid_from <= ?) and (valid_to is null or ? < valid_to)",
            [segment_id, day, day, day, day],
        ).fetchall()[0][0]
        if not in_force:
            raise AuditError(
                f"segment '{segment_id}' was not in the registry on {day} "
                "(history.segment_registry_history)"
            )


def _in_force(version: dict, day: str) -> bool:
    """The version in force on the day: the registry snapshot held it that day, and its
    validity covers the day (ISO dates compare as text)."""
    return (
        version["recorded_from"] <= day
        and (version["recorded_to"] is None or day < version["recorded_to"])
        and (version["valid_from"] is None or version["valid_from"] <= day)
        and (version["valid_to"] is None or day < version["valid_to"])
    )


def compile_sql(warehouse: Path, sql: str) -> str:
    """An inline query with project macros, as dbt compiles it against the warehouse (dbt opens
    the file: no other connection to it may be open)."""
    from dbt.cli.main import dbtRunner

    env = {
        "DBT_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(ROOT)),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with tempfile.TemporaryDirectory(prefix="segwarehouse-audit-") as work:
            # the project's saved parse, when there is one: dbt reparses only what changed
            saved_parse = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target"))
            if (saved_parse / "partial_parse.msgpack").exists():
                (Path(work) / "target").mkdir()
                shutil.copy(saved_parse / "partial_parse.msgpack", Path(work) / "target")
            result = dbtRunner().invoke(
                [
                    "compile",
                    "--inline",
                    sql,
                    "--project-dir",
                    str(ROOT),
                    "--target-path",
                    str(Path(work) / "target"),
                    "--log-path",
                    str(Path(work) / "logs"),
                    "--log-level",
                    "none",
                ]
            )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        release_warehouse()  # dbt's adapter keeps the file open in this process
    if not result.success:
        raise AuditError(f"dbt could not compile the reproduction: {result.exception}")
    return result.result.results[0].node.compiled_code


def _digest(rows: list[dict]) -> str:
    keys = "\n".join(sorted(row["customer_key"] for row in rows))
    return hashlib.sha256(keys.encode()).hexdigest()


def reproduction_proof(recorded: list[dict], reproduced: list[dict]) -> dict:
    """Counts, both differences (keys), a digest of each list of keys, and whether the rows are
    equal column by column."""
    by_key_recorded = {row["customer_key"]: row for row in recorded}
    by_key_reproduced = {row["customer_key"]: row for row in reproduced}
    only_recorded = sorted(set(by_key_recorded) - set(by_key_reproduced))
    only_reproduced = sorted(set(by_key_reproduced) - set(by_key_recorded))
    differing = sorted(
        key
        for key in set(by_key_recorded) & set(by_key_reproduced)
        if any(by_key_recorded[key][c] != by_key_reproduced[key][c] for c in MEMBER_COLUMNS)
    )
    return {
        "recorded_members": len(recorded),
        "reproduced_members": len(reproduced),
        "only_recorded": only_recorded,
        "only_reproduced": only_reproduced,
        "rows_differing": differing,
        "recorded_sha256": _digest(recorded),
        "reproduced_sha256": _digest(reproduced),
        "compared_columns": list(MEMBER_COLUMNS),
        "equal": not (only_recorded or only_reproduced or differing),
    }


def _members(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    columns = ", ".join(MEMBER_COLUMNS)
    return _rows(con, f"select {columns} from ({sql}) as members order by customer_key")


def _readout(con: duckdb.DuckDBPyConnection, segment_id: str, day: dt.date) -> dict:
    columns = ", ".join(READOUT_COLUMNS)
    series = _rows(
        con,
        f"select {columns} from marts.segment_kpis_daily "
        "where segment_id = ? and kpi_date <= ? order by kpi_date",
        [segment_id, day],
    )
    on_day = next((row for row in series if row["kpi_date"] == day.isoformat()), None)
    return {"on_date": on_day, "series": series}


def _data_quality(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict:
    if not relation_exists(con, "marts.data_quality_daily"):
        return {"as_of_date": None, "tables": []}
    recorded = con.execute(
        "select max(as_of_date) from marts.data_quality_daily where as_of_date <= ?", [day]
    ).fetchall()[0][0]
    rejected = ", ".join(f"'{kind}'" for kind in REJECTED)
    tables = _rows(
        con,
        f"""
        select
            source_name,
            source_table,
            max(raw_rows) as raw_rows,
            sum(logged_rows) filter (where disposition in ({rejected})) as rejected_rows,
            sum(logged_rows) filter (where disposition <> 'clean') as logged_rows,
            coalesce(sum(share_of_raw_rows) filter (where disposition in ({rejected})), 0)
                as rejected_share,
            coalesce(sum(share_of_raw_rows) filter (where disposition <> 'clean'), 0)
                as logged_share
        from marts.data_quality_daily
        where as_of_date = ?
        group by source_name, source_table
        order by source_name, source_table
        """,
        [recorded],
    )
    for table in tables:
        table["rejected_rows"] = table["rejected_rows"] or 0
        table["logged_rows"] = table["logged_rows"] or 0
    reasons = _rows(
        con,
        "select source_table, disposition, reason, logged_rows, share_of_raw_rows "
        "from marts.data_quality_daily where as_of_date = ? and disposition <> 'clean' "
        "order by logged_rows desc, source_table, reason limit 10",
        [recorded],
    )
    return {
        "as_of_date": _jsonable(recorded),
        "tables": tables,
        "top_reasons": reasons,
    }


def collect(warehouse: Path, segment_id: str, day: dt.date) -> Package:
    """Everything the package holds, read from the warehouse (read-only, after dbt compiled the
    reproduction and released the file)."""
    check_request(warehouse, segment_id, day)
    date_text = day.isoformat()
    # both queries in one dbt call (one parse): split at a marker comment
    arguments = f"'{date_text}', '{date_text}', '{segment_id}'"
    compiled = compile_sql(
        warehouse,
        f"{{{{ reproduce_segment_members({arguments}) }}}}\n{SPLIT}\n"
        f"{{{{ recorded_segment_members({arguments}) }}}}",
    )
    reproduce_sql, record_sql = compiled.split(SPLIT)
    spec_columns = ", ".join(SPEC_FIELDS)
    with _read_only(warehouse) as con:
        reproduced = _members(con, reproduce_sql)
        recorded = _members(con, record_sql)
        versions = _rows(
            con,
            f"""
            select {spec_columns},
                cast(dbt_valid_from as date) as recorded_from,
                cast(dbt_valid_to as date) as recorded_to
            from history.segment_registry_history
            where segment_id = ?
            order by dbt_valid_from, segment_version
            """,
            [segment_id],
        )
        spec = next(version for version in versions if _in_force(version, date_text))
        notices = _rows(
            con,
            """
            select
                members.consent_version,
                count(*) as members,
                notices.jurisdiction,
                notices.published_on,
                notices.description
            from (
                select consent_version from history.segment_history
                where segment_id = ?
                    and cast(dbt_valid_from as date) <= ?
                    and (dbt_valid_to is null or ? < cast(dbt_valid_to as date))
            ) as members
            left join reference.consent_versions as notices using (consent_version)
            group by all
            order by members.consent_version
            """,
            [segment_id, day, day],
        )
        changes = _rows(
            con,
            "select * from audit.audit_segment_changes where segment_id = ? "
            "and change_date between ? and ? order by change_date",
            [
                segment_id,
                day - dt.timedelta(days=CHANGE_WINDOW_DAYS),
                day + dt.timedelta(days=CHANGE_WINDOW_DAYS),
            ],
        )
        sample = _rows(
            con,
            f"""
            select {", ".join(MEMBER_COLUMNS)}, entered_at
            from history.segment_history
            where segment_id = ?
                and cast(dbt_valid_from as date) <= ?
                and (dbt_valid_to is null or ? < cast(dbt_valid_to as date))
            order by customer_key
            limit {SAMPLE_ROWS}
            """,
            [segment_id, day, day],
        )
        readout = _readout(con, segment_id, day)
        data_quality = _data_quality(con, day)
    for version in versions:
        version["in_force_on_date"] = version is spec
    return Package(
        segment_id=segment_id,
        audit_date=day,
        warehouse=str(warehouse),
        spec={name: spec[name] for name in SPEC_FIELDS},
        versions=versions,
        notices=notices,
        proof=reproduction_proof(recorded, reproduced),
        readout=readout,
        changes=changes,
        sample=sample,
        data_quality=data_quality,
        recorded=recorded,
        reproduced=reproduced,
    )


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(MEMBER_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write(package: Package, out: Path) -> Path:
    """Write the package folder (a new folder replaced whole: a crash leaves the old one)."""
    from segwarehouse.tools.audit_report import render_pdf

    folder = out / package.segment_id / package.audit_date.isoformat()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".writing-") as work:
        staging = Path(work) / "package"
        staging.mkdir()
        (staging / "package.json").write_text(
            json.dumps(package.as_json(), indent=2, sort_keys=True) + "\n"
        )
        _write_csv(staging / "members_recorded.csv", package.recorded)
        _write_csv(staging / "members_reproduced.csv", package.reproduced)
        render_pdf(package, staging / "package.pdf")
        if folder.exists():
            old = Path(work) / "old"
            folder.rename(old)
        staging.rename(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segwarehouse.tools.audit", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--segment", required=True, help="segment id, e.g. vip_high_value")
    parser.add_argument(
        "--date", required=True, type=lambda text: business_date(text, "--date"),
        help="business date YYYY-MM-DD",
    )  # fmt: skip
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb")),
    )
    parser.add_argument("--out", type=Path, default=Path("audit"))
    args = parser.parse_args(argv)
    warehouse = args.warehouse.resolve()
    try:
        package = collect(warehouse, args.segment, args.date)
        folder = write(package, args.out)
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    proof = package.proof
    print(f"audit package: {folder}")
    print(
        f"  {proof['recorded_members']:,} members recorded, "
        f"{proof['reproduced_members']:,} reproduced from the snapshots"
    )
    if not proof["equal"]:
        print(
            f"audit: the reproduction DIFFERS from segment_history for '{args.segment}' on "
            f"{args.date}: {len(proof['only_recorded'])} recorded only, "
            f"{len(proof['only_reproduced'])} reproduced only, "
            f"{len(proof['rows_differing'])} rows differing (see {folder / 'package.json'})",
            file=sys.stderr,
        )
        return 1
    print("  reproduction equal: the same members, versions, grounds, notices and arms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
