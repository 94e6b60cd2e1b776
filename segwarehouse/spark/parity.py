"""Parity of the two engines: the project built on the same raw files, over the same business
days, with DuckDB (target dev) and with Spark + Iceberg (target spark), every relation compared
row by row.

    python -m segwarehouse.spark.parity --raw DIR [--days N] [--end YYYY-MM-DD] [--work DIR]
                                        [--select ...]

Each engine builds into a warehouse of its own under ``<work>``, one business day after the
other as daily runs would (the environment variable SEGWAREHOUSE_AS_OF): every day but the last
without tests, the last a full ``dbt build`` with its data and unit tests. The history the days
leave (segment_history and the other snapshots, the incremental segment state, the daily KPIs)
is then compared with everything else. The run-operation ``export_relations`` writes every
relation that engine built as parquet (``<work>/<engine>/export/<resource type>.<name>/``), and
DuckDB compares the two exports: the same relations, and per relation the same rows as
multisets (an ``except all`` both ways), keys included, doubles equal to a relative 1e-9. Prints
a line per relation and the wall time of each engine's days; exits 1 when a build fails or a
relation differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from segwarehouse.spark.jars import DEFAULT_OUT as JARS_DIR
from segwarehouse.spark.jars import ROOT

ENGINES = ("duckdb", "spark")
TOLERANCE = 1e-9
DEFAULT_SELECT: list[str] = []  # the whole project
DEFAULT_DAYS = 3
AS_OF_ENV = "SEGWAREHOUSE_AS_OF"  # read by the project's macro _as_of_var
NO_TESTS = ["--exclude-resource-type", "test", "unit_test"]


@dataclass
class Comparison:
    relation: str
    rows: dict[str, int]
    only_in: dict[str, int]  # rows of one engine with no equal row in the other

    @property
    def equal(self) -> bool:
        return not any(self.only_in.values()) and len(set(self.rows.values())) == 1


def _environment(engine: str, raw: Path, work: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env = base | {
        "RAW_DATA_DIR": str(raw),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_TARGET": "dev" if engine == "duckdb" else "spark",
        "DBT_TARGET_PATH": str(work / engine / "target"),
        "DBT_LOG_PATH": str(work / engine / "logs"),
    }
    if engine == "duckdb":
        return env | {"DBT_DUCKDB_PATH": str(work / engine / "warehouse.duckdb")}
    return env | {
        "SPARK_WAREHOUSE_DIR": str(work / engine / "warehouse"),
        "SPARK_JARS_DIR": os.environ.get("SPARK_JARS_DIR", str(JARS_DIR)),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def _tail(result: subprocess.CompletedProcess, lines: int = 80) -> str:
    """The end of a dbt run's output without Spark's log4j warnings, which bury dbt's errors."""
    kept = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if not re.match(r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d WARN ", line)
    ]
    return "\n".join(kept[-lines:])


def _dbt(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    dbt = Path(sys.executable).parent / "dbt"
    started = time.monotonic()
    result = subprocess.run(
        [str(dbt), *args, "--project-dir", str(ROOT)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return time.monotonic() - started, result


def business_days(raw: Path, days: int, end: str | None = None) -> list[str]:
    """The last `days` business days up to `end` (default: the generator's end_date)."""
    if end is None:
        truth = raw / "ground_truth.json"
        if not truth.exists():
            raise RuntimeError(f"{truth} not found: give the last business day (--end)")
        end = json.loads(truth.read_text())["args"]["end_date"]
    last = dt.date.fromisoformat(end)
    return [str(last - dt.timedelta(days=back)) for back in range(days - 1, -1, -1)]


def build(engine: str, raw: Path, work: Path, days: list[str], select: list[str]) -> float:
    """The business days built in order on one engine (the last with every test), then the
    export of what the last day built; the wall time of all the days."""
    env = _environment(engine, raw, work)
    # cautious: a test also reading a relation outside the selection is left out
    selection = ["--select", *select, "--indirect-selection", "cautious"] if select else []
    seconds = 0.0
    for position, day in enumerate(days, start=1):
        tests = [] if position == len(days) else NO_TESTS
        took, result = _dbt(["build", *selection, *tests], env | {AS_OF_ENV: day})
        seconds += took
        if result.returncode != 0:
            raise RuntimeError(f"{engine} build of {day} failed:\n{_tail(result)}")
    export = work / engine / "export"
    export.mkdir(parents=True, exist_ok=True)
    results = json.loads((work / engine / "target" / "run_results.json").read_text())["results"]
    built = [
        r["unique_id"]
        for r in results
        if r["unique_id"].split(".")[0] in ("model", "seed", "snapshot")
        and r["status"] == "success"
    ]
    arguments = json.dumps({"out_dir": str(export), "nodes": built})
    _, exported = _dbt(["run-operation", "export_relations", "--args", arguments], env)
    if exported.returncode != 0:
        raise RuntimeError(f"{engine} export failed:\n{_tail(exported)}")
    return seconds


def _rows(con: duckdb.DuckDBPyConnection, folder: Path) -> tuple[list[str], list[tuple]]:
    relation = con.sql(f"select * from read_parquet('{folder}/*.parquet')")
    return relation.columns, relation.fetchall()


def _canonical(value: object) -> object:
    """Doubles rounded to 9 significant digits (the tolerance's grid; near a rounding edge the
    pairwise check below decides), lists as tuples."""
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0 else float(f"{value:.9g}")
    if isinstance(value, list):
        return tuple(_canonical(item) for item in value)
    return value


def _close(left: tuple, right: tuple) -> bool:
    return len(left) == len(right) and all(
        math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-15)
        if isinstance(a, float) and isinstance(b, float)
        else a == b
        for a, b in zip(left, right, strict=True)
    )


def compare(work: Path) -> list[Comparison]:
    """The two exports, relation by relation (a relation missing on one side: all its rows are
    only on the other)."""
    exports = {engine: work / engine / "export" for engine in ENGINES}
    names = sorted({p.name for engine in ENGINES for p in exports[engine].iterdir() if p.is_dir()})
    con = duckdb.connect()
    comparisons = []
    for name in names:
        rows: dict[str, list[tuple]] = {}
        columns: dict[str, list[str]] = {}
        for engine in ENGINES:
            folder = exports[engine] / name
            columns[engine], rows[engine] = _rows(con, folder) if folder.is_dir() else ([], [])
        counted = {
            e: Counter(tuple(_canonical(v) for v in row) for row in rows[e]) for e in ENGINES
        }
        only = {e: counted[e] - counted[o] for e, o in (ENGINES, ENGINES[::-1])}
        # rows apart only by a rounding edge of the grid: paired within the tolerance
        leftover = list(only["spark"].elements())
        for row in list(only["duckdb"].elements()):
            match = next((other for other in leftover if _close(row, other)), None)
            if match is not None:
                leftover.remove(match)
                only["duckdb"][row] -= 1
        only["spark"] = Counter(leftover)
        if columns["duckdb"] and columns["spark"] and columns["duckdb"] != columns["spark"]:
            only = {e: Counter({("columns", *columns[e]): 1}) for e in ENGINES}
        comparisons.append(
            Comparison(
                relation=name,
                rows={e: len(rows[e]) for e in ENGINES},
                only_in={e: sum(only[e].values()) for e in ENGINES},
            )
        )
    return comparisons


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw files")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="business days to build")
    parser.add_argument("--end", help="last business day, YYYY-MM-DD (default: the data's)")
    parser.add_argument("--work", type=Path, default=ROOT / ".spark" / "parity")
    parser.add_argument("--select", nargs="*", default=DEFAULT_SELECT)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        days = business_days(args.raw.resolve(), args.days, args.end)
        for engine in ENGINES:
            seconds = build(engine, args.raw.resolve(), work, days, args.select)
            print(f"{engine} build of {len(days)} day(s): {seconds:.1f} s", flush=True)
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    comparisons = compare(work)
    for item in comparisons:
        verdict = "equal" if item.equal else f"DIFFERENT (only in {item.only_in})"
        print(f"{item.relation}: {item.rows['duckdb']} / {item.rows['spark']} rows, {verdict}")
    different = [c.relation for c in comparisons if not c.equal]
    print(f"{len(comparisons) - len(different)} of {len(comparisons)} relations equal")
    sys.exit(1 if different or not comparisons else 0)


if __name__ == "__main__":
    main()
