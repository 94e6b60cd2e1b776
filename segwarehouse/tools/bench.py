"""Benchmark harness: the project against the floor and against a pandas analyst, in one run.

    python -m segwarehouse.tools.bench --scale medium        (make bench SCALE=medium)

For a named scale it generates clean raw data (cached under bench/data/<scale>/), then measures,
each step in a child process:

  floor      one DuckDB query reading every raw column the project uses, once (best of 3);
  parse      `dbt parse --no-partial-parse`;
  full       `dbt build` (models, snapshots, data and unit tests) on a fresh warehouse, as of the
             day before the data's last day, with the last day's event delivery not yet landed
             (its folder is held back);
  daily      the daily run: the last day's delivery lands (the folder is put back) and
             `dbt build` runs as of the last day as the README's daily command does (data tests
             of the large incremental tables check the keys of the last days against all rows,
             var data_test_window_days); the incremental models process only the new file plus
             their lookback;
  summary    the project's own path from the raw orders to the customer summary (staged orders
             and returns, valued orders, the per-customer summary with BTYD), run alone from
             scratch (--full-refresh) with one dbt thread: the sum of the four models' times;
  pandas_*   the same summary (orders, revenue, recency, BTYD, RFM scores) written the way an
             analyst would in pandas (segwarehouse.tools.pandas_btyd), in the common per-customer
             loop style and fully vectorized, each checked equal to the project's
             customer_features; timed by the script itself (reading + computing).

Wall time, CPU time (user + system of the child) and peak memory (max RSS of the child, which
runs DuckDB in-process) are recorded with row counts per table, and ratios measured in the same
run (full / floor, daily / full, pandas / project summary). Reports: bench/results/<scale>-<stamp>.json
and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from segwarehouse.dbt_plugin import identity_path
from segwarehouse.generate.util import move_deliveries

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SCALES = {
    "tiny": {"customers": 2_000, "days": 60},
    "small": {"customers": 20_000, "days": 365},
    "medium": {"customers": 200_000, "days": 365},
    "large": {"customers": 1_000_000, "days": 365},
}
# The daily run's vars besides as_of, as in the README's daily command.
DAILY_VARS = {"data_test_window_days": 3}


def raw_columns() -> dict[str, list[str]]:
    """Every raw column the project reads: the sources' contract (models/staging/*/_*__sources.yml)."""
    import yaml

    tables: dict[str, list[str]] = {}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                tables[table["name"]] = [c["name"] for c in table.get("columns", [])]
    return tables


@dataclass
class Step:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    ok: bool
    detail: dict = field(default_factory=dict)


def measure(name: str, command: list[str], env: dict[str, str], log: Path) -> Step:
    """Run a child process; wall time, its CPU time and its peak RSS (wait4 rusage)."""
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Step(
        name=name,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        ok=process.returncode == 0,
        detail={"log": str(log), "exit_code": process.returncode},
    )


def raw_reader(raw: Path, table: str) -> str:
    if any((raw / table).glob("delivered_date=*")):
        return (
            f"read_parquet('{raw}/{table}/delivered_date=*/*.parquet', hive_partitioning = false)"
        )
    if (raw / table).is_dir():
        return f"read_parquet('{raw}/{table}/*.parquet', union_by_name = true)"
    return f"read_parquet('{raw}/{table}.parquet')"


def floor_sql(raw: Path) -> str:
    """One query reading every contract column of every raw table once."""
    parts = []
    for table, columns in raw_columns().items():
        present = (raw / f"{table}.parquet").exists() or (raw / table).is_dir()
        if not present:
            continue
        parts.append(
            f"select '{table}' as t, count(*) as n, sum(hash({', '.join(columns)})) as h "
            f"from {raw_reader(raw, table)}"
        )
    return " union all ".join(parts)


def run_bench(scale: str, out_dir: Path, threads: str, memory_limit: str) -> dict:
    params = SCALES[scale]
    work = ROOT / "bench" / "work" / scale
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    raw = ROOT / "bench" / "data" / f"{scale}-{params['customers']}-{params['days']}"
    env = {
        **os.environ,
        "RAW_DATA_DIR": str(raw),
        "DBT_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "DBT_IDENTITY_PATH": str(identity_path(work / "warehouse.duckdb", {})),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_THREADS": threads,
        "DUCKDB_MEMORY_LIMIT": memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    steps: list[Step] = []
    if not (raw / "ground_truth.json").exists():
        shutil.rmtree(raw, ignore_errors=True)
        steps.append(
            measure(
                "generate",
                [sys.executable, "-m", "segwarehouse.generate", "--customers",
                 str(params["customers"]), "--days", str(params["days"]), "--seed", "7",
                 "--bad-rate", "0", "--out", str(raw), "--no-progress"],
                env, work / "generate.log",
            )
        )  # fmt: skip
    end = dt.date.fromisoformat(
        json.loads((raw / "ground_truth.json").read_text())["args"]["end_date"]
    )
    day_before = end - dt.timedelta(days=1)
    dbt = str(BIN / "dbt")
    target = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    floor_file = work / "floor.sql"
    floor_file.write_text(floor_sql(raw))
    # the floor is a few seconds, so a noisy neighbour distorts it most: best of three runs
    floors = [
        measure(
            "floor",
            [sys.executable, "-c",
             "import duckdb,sys; c=duckdb.connect(config={'threads': int(sys.argv[2]),"
             " 'memory_limit': sys.argv[3]}); print(c.execute(open(sys.argv[1]).read()).fetchall())",
             str(floor_file), threads, memory_limit],
            env, work / "floor.log",
        )
        for _ in range(3)
    ]  # fmt: skip
    steps.append(min(floors, key=lambda step: step.wall_s))
    steps[-1].detail["runs_wall_s"] = [step.wall_s for step in floors]
    steps.append(
        measure("parse", [dbt, "parse", "--no-partial-parse", *target], env, work / "parse.log")
    )
    held = move_deliveries(raw / "events", work / "held", after=day_before)  # not landed yet
    try:
        steps.append(
            measure(
                "full",
                [dbt, "build", "--vars", json.dumps({"as_of": day_before.isoformat()}), *target],
                env, work / "full.log",
            )
        )  # fmt: skip
    finally:
        move_deliveries(work / "held", raw / "events")  # the last day lands
    steps[-1].detail["nodes"] = _node_times(work / "target" / "run_results.json")
    steps[-1].detail["deliveries_held_back"] = [folder.name for folder in held]
    steps.append(
        measure(
            "daily",
            [dbt, "build", "--vars", json.dumps({"as_of": end.isoformat(), **DAILY_VARS}),
             *target],
            env, work / "daily.log",
        )
    )  # fmt: skip
    steps[-1].detail["nodes"] = _node_times(work / "target" / "run_results.json")
    summary_models = ["stg_shop__orders", "stg_shop__returns", "int_orders_valued",
                      "int_customer_orders_summarized"]  # fmt: skip
    steps.append(
        measure(
            "summary",
            [dbt, "run", "--full-refresh", "-s", *summary_models,
             "--vars", json.dumps({"as_of": end.isoformat()}), *target],
            {**env, "DBT_THREADS": "1"}, work / "summary.log",
        )
    )  # fmt: skip
    nodes = _node_times(work / "target" / "run_results.json")
    project_summary_s = sum(nodes.values())
    steps[-1].detail["nodes"] = nodes
    comparisons = {}
    for style in ("per_customer", "vectorized"):
        out = work / f"pandas_{style}.parquet"
        steps.append(
            measure(
                f"pandas_{style}",
                [sys.executable, "-m", "segwarehouse.tools.pandas_btyd", "--raw", str(raw),
                 "--as-of", end.isoformat(), "--style", style, "--out", str(out)],
                env, work / f"pandas_{style}.log",
            )
        )  # fmt: skip
        if steps[-1].ok:  # its own timing of reading + computing, without interpreter start-up
            log = (work / f"pandas_{style}.log").read_text().strip().splitlines()
            steps[-1].detail["compute_s"] = json.loads(log[-1])["seconds"]
        comparisons[style] = _compare_with_pandas(work / "warehouse.duckdb", out)
    rows = _rows(work / "warehouse.duckdb")
    by_name = {s.name: s for s in steps}
    report = {
        "scale": scale,
        "parameters": params,
        "as_of": {"full": day_before.isoformat(), "daily": end.isoformat()},
        "machine": _machine(threads, memory_limit),
        "steps": [asdict(s) for s in steps],
        "rows": rows,
        "pandas_check": comparisons,
        "ratios": {
            "full_over_floor": _ratio(by_name["full"].wall_s, by_name["floor"].wall_s),
            "daily_over_full": _ratio(by_name["daily"].wall_s, by_name["full"].wall_s),
            "pandas_per_customer_over_project_summary": _ratio(
                by_name["pandas_per_customer"].detail.get("compute_s", 0.0), project_summary_s
            ),
            "pandas_vectorized_over_project_summary": _ratio(
                by_name["pandas_vectorized"].detail.get("compute_s", 0.0), project_summary_s
            ),
        },
        "project_summary_seconds": round(project_summary_s, 3),
        "peak_rss_mb": max(s.peak_rss_mb for s in steps if s.name != "generate"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (out_dir / f"{scale}-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{scale}-{stamp}.md").write_text(markdown(report))
    return report


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _node_times(run_results: Path) -> dict[str, float]:
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text())["results"]
    return {r["unique_id"]: round(r["execution_time"], 3) for r in results}


def _rows(warehouse: Path) -> dict[str, int]:
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = con.execute("select schema_name, table_name from duckdb_tables() order by 1, 2")
    rows = {
        f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        for schema, name in tables.fetchall()
    }
    con.close()
    return rows


def _compare_with_pandas(warehouse: Path, pandas_out: Path) -> dict:
    """Customers whose pandas summary differs from customer_features (where analytics consent
    lets the project compute it)."""
    if not (warehouse.exists() and pandas_out.exists()):
        return {"checked": False}
    con = duckdb.connect(str(warehouse), read_only=True)
    mismatches = con.execute(
        f"""
        with project as (
            select customer_key, order_count, net_revenue_usd, purchase_count, recency_days,
                btyd_frequency, btyd_recency, btyd_t, btyd_monetary
            from marts.customer_features
            where order_count > 0 and is_analytics_allowed
        ),
        analyst as (
            select * from read_parquet('{pandas_out}')
            where customer_key in (
                select customer_key from marts.customer_features where is_analytics_allowed
            )
        )
        select count(*) from project full outer join analyst using (customer_key)
        where project.order_count is distinct from analyst.order_count
            -- the project rounds each order to cents, pandas sums unrounded amounts
            or abs(project.net_revenue_usd - analyst.net_revenue_usd)
                > 0.005 * project.order_count + 0.001
            or project.purchase_count is distinct from analyst.purchase_count
            or (project.purchase_count > 0
                and project.recency_days is distinct from analyst.recency_days)
            or project.btyd_frequency is distinct from analyst.btyd_frequency
            or project.btyd_recency is distinct from analyst.btyd_recency
            or project.btyd_t is distinct from analyst.btyd_t
            or abs(project.btyd_monetary - analyst.btyd_monetary)
                > 0.005 * project.order_count + 0.001
            or project.customer_key is null or analyst.customer_key is null
        """
    ).fetchone()[0]
    compared = con.execute(f"select count(*) from read_parquet('{pandas_out}')").fetchone()[0]
    con.close()
    return {"checked": True, "customers": compared, "mismatches": mismatches}


def _machine(threads: str, memory_limit: str) -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "threads": threads,
        "memory_limit": memory_limit,
    }


def markdown(report: dict) -> str:
    lines = [
        f"# Benchmark `{report['scale']}` ({report['parameters']['customers']:,} customers, "
        f"{report['parameters']['days']} days)",
        "",
        f"Machine: {report['machine']['platform']}, {report['machine']['cpus']} CPUs, DuckDB "
        f"{report['machine']['duckdb']}, threads {report['machine']['threads']}, memory_limit "
        f"{report['machine']['memory_limit']}.",
        "",
        "| step | wall s | CPU s | peak RSS MB | ok |",
        "|---|---:|---:|---:|---|",
    ]
    for step in report["steps"]:
        lines.append(
            f"| {step['name']} | {step['wall_s']:.1f} | {step['cpu_s']:.1f} | "
            f"{step['peak_rss_mb']:.0f} | {'yes' if step['ok'] else 'NO'} |"
        )
    ratios = report["ratios"]
    lines += [
        "",
        "| ratio (same run) | value |",
        "|---|---:|",
        f"| full build / floor | {ratios['full_over_floor']} |",
        f"| daily run / full build | {ratios['daily_over_full']} |",
        "| pandas, per-customer loop / project summary path | "
        f"{ratios['pandas_per_customer_over_project_summary']} |",
        "| pandas, vectorized / project summary path | "
        f"{ratios['pandas_vectorized_over_project_summary']} |",
        "",
        f"Project summary path (4 models, one dbt thread): {report['project_summary_seconds']} s; "
        "pandas reading + computing: "
        + ", ".join(
            f"{step['name']} {step['detail'].get('compute_s')} s"
            for step in report["steps"]
            if step["name"].startswith("pandas_")
        )
        + ".",
        "",
        f"pandas check: {report['pandas_check']}",
        "",
    ]
    for step in report["steps"]:
        nodes = step["detail"].get("nodes")
        if step["name"] not in ("full", "daily") or not nodes:
            continue
        tests = sum(t for node, t in nodes.items() if node.startswith("test."))
        lines += [
            f"Slowest nodes of `{step['name']}` ({len(nodes)} nodes, {sum(nodes.values()):.0f} s "
            f"summed over threads, of which data tests {tests:.0f} s):",
            "",
            "| node | s |",
            "|---|---:|",
        ]
        ranked = sorted(nodes.items(), key=lambda item: -item[1])[:12]
        lines += [f"| {node.split('.', 2)[-1][:70]} | {t:.1f} |" for node, t in ranked]
        lines.append("")
    lines += ["| relation | rows |", "|---|---:|"]
    lines += [f"| {name} | {count:,} |" for name, count in report["rows"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--threads", default=os.environ.get("DBT_THREADS", "2"))
    parser.add_argument("--memory-limit", default=os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB"))
    args = parser.parse_args(argv)
    report = run_bench(args.scale, args.out, args.threads, args.memory_limit)
    print(markdown(report))
    failed = [s["name"] for s in report["steps"] if not s["ok"]]
    if failed:
        print(f"bench: steps failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if any(check.get("mismatches") for check in report["pandas_check"].values()):
        print("bench: the pandas summary differs from the project's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
