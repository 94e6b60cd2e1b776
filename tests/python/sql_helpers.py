"""Run SQL that uses the project's macros on a built warehouse: rendered by dbt (the session's
Project, compile --inline against that warehouse), run on DuckDB."""

from __future__ import annotations

from conftest import Project, Simulation
from warehouse import connect


def query(project: Project, sim: Simulation, sql: str) -> list[tuple]:
    rendered = project.render(sql, build=sim)  # dbt has released the warehouse when it returns
    con = connect(sim.warehouse)
    try:
        return con.execute(rendered).fetchall()
    finally:
        con.close()
