"""Run SQL that uses the project's macros: rendered by dbt (compile --inline), run on DuckDB."""

from __future__ import annotations

import json

from conftest import Build, Simulation, dbt
from warehouse import connect


def compiled(sim: Simulation | Build, sql: str) -> str:
    """SQL with project macros rendered by dbt (compile --inline) on a built project."""
    result = dbt(
        ["compile", "--inline", sql, "--quiet", "--output", "json"],
        sim.raw_dir,
        sim.warehouse,
        sim.work,
    )
    assert result.returncode == 0, result.output[-3000:]
    start = result.output.index("{")
    return json.JSONDecoder().raw_decode(result.output[start:])[0]["compiled"]


def query(sim: Simulation, sql: str) -> list[tuple]:
    rendered = compiled(sim, sql)  # before connecting: dbt opens the warehouse read-write
    con = connect(sim.warehouse)
    try:
        return con.execute(rendered).fetchall()
    finally:
        con.close()
