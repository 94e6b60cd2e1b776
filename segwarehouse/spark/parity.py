"""Parity of the two engines: the project built on the same raw files and business date with
DuckDB (target dev) and with Spark + Iceberg (target spark), every relation compared row by row.

    python -m segwarehouse.spark.parity --raw DIR [--as-of YYYY-MM-DD] [--work DIR] [--select ...]

Each engine builds the selection (`dbt build`, its data tests included) into a warehouse of its
own under ``<work>``; the run-operation ``export_relations`` then writes every relation that
engine built as parquet (``<work>/<engine>/export/<resource type>.<name>/``), and DuckDB compares the
two exports: the same relations, and per relation the same rows as multisets (an ``except all``
both ways), keys included, doubles equal to a relative 1e-9. Prints a line per relation and
the wall time of each build; exits 1 when a build fails or a relation differs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
# what both engines build today (issue 16): everything before the segment registry, whose
# validation is still a dbt Python model (DuckDB only)
DEFAULT_SELECT = ["+customer_features", "staging"]


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


def _dbt(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    dbt = Path(sys.executable).parent / "dbt"
    started = time.monotonic()
    result = subprocess.run(
        [str(dbt), *args, "--project-dir", str(ROOT)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return time.monotonic() - started, result


def build(engine: str, raw: Path, work: Path, as_of: str | None, select: list[str]) -> float:
    """dbt build of the selection on one engine, then its export; the build's wall time.
    Without as_of each engine finds the business date in the data itself."""
    env = _environment(engine, raw, work)
    variables = ["--vars", json.dumps({"as_of": as_of})] if as_of else []
    # cautious: a test also reading a relation outside the selection is left out
    selection = ["--select", *select, "--indirect-selection", "cautious"]
    seconds, result = _dbt(["build", *selection, *variables], env)
    if result.returncode != 0:
        raise RuntimeError(f"{engine} build failed:\n{(result.stdout + result.stderr)[-6000:]}")
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
        raise RuntimeError(
            f"{engine} export failed:\n{(exported.stdout + exported.stderr)[-6000:]}"
        )
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
    parser.add_argument("--as-of", help="business date, YYYY-MM-DD (default: from the data)")
    parser.add_argument("--work", type=Path, default=ROOT / ".spark" / "parity")
    parser.add_argument("--select", nargs="+", default=DEFAULT_SELECT)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        for engine in ENGINES:
            seconds = build(engine, args.raw.resolve(), work, args.as_of, args.select)
            print(f"{engine} build: {seconds:.1f} s", flush=True)
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
