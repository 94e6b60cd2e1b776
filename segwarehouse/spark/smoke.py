"""Smoke check of the Spark target: a tiny dbt project built three times with `dbt build` on the
`spark` target of the repository's profiles.yml, its input changing between the builds.

    python -m segwarehouse.spark.smoke [--work DIR] [--without-columns-fix]

The project (written afresh into ``<work>/project``, default ``<project>/.spark/smoke``; its
warehouse in ``<work>/warehouse``) has a table of this step's customers, a view of it, an
incremental `merge` model and a YAML snapshot (strategy check, hard_deletes new_record) of the
view, all Iceberg tables. Between the builds a customer changes name, one is deleted, one is new,
then the deleted one comes back. Two data tests in each build compare the snapshot's history
(each version's start and end numbered as the build that made them) and the merged table with
the expected rows: a closed and a new version for the change, a deletion record keeping the
customer's columns, a new version for the return.

dbt-spark 1.11.0's `spark__get_columns_in_relation` returns the raw `describe extended` rows, so
a snapshot's deletion records get NULL columns; the project overrides it with the adapter's
parsed columns (macros/engines/spark__get_columns_in_relation.sql, copied into the smoke project). ``--without-columns-fix`` leaves that out: the snapshot test then fails on the
second build, which shows the bug (and that the test can fail).

Prints each dbt invocation's wall time; exits 1 when a build or a test fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from segwarehouse.spark.jars import DEFAULT_OUT as JARS_DIR
from segwarehouse.spark.jars import ROOT, assemble
from segwarehouse.spark.java import check_java

DEFAULT_WORK = ROOT / ".spark" / "smoke"
SCHEMA = "smoke"

# the input of each build: customer id and name
STEPS: list[list[tuple[int, str]]] = [
    [(1, "amber"), (2, "beryl"), (3, "coral")],
    [(1, "amber"), (2, "beryl-2"), (4, "diamond")],  # 2 renamed, 3 deleted, 4 new
    [(1, "amber"), (2, "beryl-2"), (3, "coral"), (4, "diamond")],  # 3 back
]
# the snapshot's whole history after the last step: id, name, is a deletion record, the build
# (step) that opened the version and the one that closed it (None: current)
HISTORY: list[tuple[int, str, bool, int, int | None]] = [
    (1, "amber", False, 1, None),
    (2, "beryl", False, 1, 2),
    (2, "beryl-2", False, 2, None),
    (3, "coral", False, 1, 2),
    (3, "coral", True, 2, 3),  # the deletion record keeps the deleted row's columns
    (3, "coral", False, 3, None),
    (4, "diamond", False, 2, None),
]

FILES = {
    "dbt_project.yml": """\
name: spark_smoke
version: "1.0"
config-version: 2
profile: segwarehouse
vars:
  step: 1
models:
  spark_smoke:
    +file_format: iceberg
snapshots:
  spark_smoke:
    +file_format: iceberg
""",
    "models/smoke_customers_input.sql": """\
-- this step's customers (var customers)
{{ config(materialized='table') }}
{{ smoke_values(var('customers'), {'customer_id': 'int', 'customer_name': 'string'}) }}
""",
    "models/smoke_customers.sql": """\
{{ config(materialized='view') }}
select customer_id, customer_name from {{ ref('smoke_customers_input') }}
""",
    "models/smoke_customers_merged.sql": """\
-- every customer ever seen, with their latest name and the last step that had them
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='customer_id') }}
select
    customer_id,
    customer_name,
    {{ var('step') }} as last_seen_step
from {{ ref('smoke_customers') }}
""",
    "snapshots/smoke_customers_snapshot.yml": """\
snapshots:
  - name: smoke_customers_snapshot
    relation: ref('smoke_customers')
    config:
      unique_key: customer_id
      strategy: check
      check_cols: [customer_name]
      hard_deletes: new_record
""",
    "macros/smoke_values.sql": """\
{#- A select of literal rows: rows, lists of values; columns, {name: Spark type} in order. -#}
{% macro smoke_values(rows, columns) -%}
select
    {%- for name, type in columns.items() %}
    cast({{ name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from values
    {%- for row in rows %}
    (
        {%- for value in row -%}
        {%- if value is none -%} null
        {%- elif value is sameas true or value is sameas false -%} {{ value | lower }}
        {%- elif value is string -%} '{{ value }}'
        {%- else -%} {{ value }}
        {%- endif -%}
        {{ ', ' if not loop.last }}
        {%- endfor -%}
    ){{ ',' if not loop.last }}
    {%- endfor %}
    as literal_rows({{ columns.keys() | join(', ') }})
{%- endmacro %}
""",
    "tests/smoke_snapshot_history_is_expected.sql": """\
-- The snapshot's history, each version's start and end numbered as the snapshot run (step)
-- that made them, against var expected_snapshot: a row in only one of them fails.
with

snapshot_rows as (
    select * from {{ ref('smoke_customers_snapshot') }}
),

runs as (
    select
        run_at,
        dense_rank() over (order by run_at) as step
    from (select distinct dbt_valid_from as run_at from snapshot_rows) as starts
),

actual as (
    select
        snapshot_rows.customer_id,
        snapshot_rows.customer_name,
        snapshot_rows.dbt_is_deleted = 'True' as is_deleted,
        valid_from.step as from_step,
        valid_to.step as to_step
    from snapshot_rows
    inner join runs as valid_from on snapshot_rows.dbt_valid_from = valid_from.run_at
    left join runs as valid_to on snapshot_rows.dbt_valid_to = valid_to.run_at
),

expected as (
    {{ smoke_values(var('expected_snapshot'), {
        'customer_id': 'int', 'customer_name': 'string', 'is_deleted': 'boolean',
        'from_step': 'int', 'to_step': 'int'}) }}
)

select 'missing' as problem, * from (select * from expected except all select * from actual) as m
union all
select 'unexpected' as problem, * from (select * from actual except all select * from expected) as u
""",
    "tests/smoke_merged_is_expected.sql": """\
-- The incremental merge model against var expected_merged: a row in only one of them fails.
with

actual as (
    select * from {{ ref('smoke_customers_merged') }}
),

expected as (
    {{ smoke_values(var('expected_merged'), {
        'customer_id': 'int', 'customer_name': 'string', 'last_seen_step': 'int'}) }}
)

select 'missing' as problem, * from (select * from expected except all select * from actual) as m
union all
select 'unexpected' as problem, * from (select * from actual except all select * from expected) as u
""",
}
# the project's own override (macros/engines/), copied into the smoke project
COLUMNS_FIX = {
    "macros/spark__get_columns_in_relation.sql": (
        ROOT / "macros" / "engines" / "spark__get_columns_in_relation.sql"
    ).read_text(),
}


def step_vars(step: int) -> dict[str, object]:
    """The dbt vars of build `step` (1-based): its input and what the tests expect after it."""
    merged: dict[int, tuple[str, int]] = {}
    for number, rows in enumerate(STEPS[:step], start=1):
        merged |= {customer: (name, number) for customer, name in rows}
    snapshot = [
        [customer, name, deleted, start, end if end is not None and end <= step else None]
        for customer, name, deleted, start, end in HISTORY
        if start <= step
    ]
    return {
        "step": step,
        "customers": [list(row) for row in STEPS[step - 1]],
        "expected_snapshot": snapshot,
        "expected_merged": [[customer, *merged[customer]] for customer in sorted(merged)],
    }


def write_project(project: Path, columns_fix: bool) -> None:
    for name, text in (FILES | (COLUMNS_FIX if columns_fix else {})).items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run_build(project: Path, env: dict[str, str], step: int) -> tuple[float, str, bool]:
    """`dbt build` of the project for `step`: wall time, output, and whether every node and
    test passed (exit code and run_results.json)."""
    dbt = Path(sys.executable).parent / "dbt"
    started = time.monotonic()
    result = subprocess.run(
        [str(dbt), "build", "--vars", json.dumps(step_vars(step))],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    results = project / "target" / "run_results.json"
    statuses = (
        [node["status"] for node in json.loads(results.read_text())["results"]]
        if results.exists()
        else []
    )
    # 4 nodes (input table, view, merge, snapshot) and 2 data tests, all passed (not warned)
    passed = result.returncode == 0 and sorted(statuses) == ["pass"] * 2 + ["success"] * 4
    return seconds, result.stdout + result.stderr, passed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="folder, made afresh")
    parser.add_argument(
        "--without-columns-fix", action="store_true", help="leave out the macro override"
    )
    args = parser.parse_args(argv)
    work = args.work.resolve()
    project = work / "project"
    if work.exists() and any(work.iterdir()) and not (project / "dbt_project.yml").exists():
        sys.exit(f"error: {work} is not empty and holds no smoke project: not removing it")
    try:
        check_java()
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    jars_dir = Path(os.environ.get("SPARK_JARS_DIR", JARS_DIR)).resolve()
    assemble(jars_dir)
    shutil.rmtree(work, ignore_errors=True)
    write_project(project, columns_fix=not args.without_columns_fix)
    env = os.environ | {
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET": "spark",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "SPARK_SCHEMA": SCHEMA,
        "SPARK_WAREHOUSE_DIR": str(work / "warehouse"),
        "SPARK_JARS_DIR": str(jars_dir),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }
    for step in range(1, len(STEPS) + 1):
        seconds, output, passed = run_build(project, env, step)
        print(f"dbt build, step {step}: {seconds:.1f} s, {'ok' if passed else 'FAILED'}")
        if not passed:
            print(output[-6000:])
            sys.exit(1)
    print(f"spark smoke check passed ({work})")


if __name__ == "__main__":
    main()
