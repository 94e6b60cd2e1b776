"""The DAG does not depend on the vars: every node has the same parents with and without
--vars (the business date is a model, int_business_dates_resolved, that every dated model refs
whatever the vars), so selectors, docs and state:modified see one graph."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

WITH_AS_OF = ["--vars", "{as_of: 2026-09-30}"]


def _invoke(work: Path, command: str, *args: str, folder: Path | None = None) -> Any:
    """A dbt command in process, one target folder per command and set of vars (partial
    parsing between calls with the same vars) unless `folder` is given."""
    from dbt.cli.main import dbtRunner

    folder = folder or work / f"{command}_{'as_of' if '--vars' in args else 'plain'}"
    common = [
        "--project-dir", str(ROOT), "--target", "test", "--quiet",
        "--target-path", str(folder / "target"), "--log-path", str(folder / "logs"),
        "--log-level", "none", "--log-level-file", "debug",
    ]  # fmt: skip
    result = dbtRunner().invoke([command, *common, *args])
    assert result.success, result.exception
    return result.result


def _ls(work: Path, *args: str) -> list[str]:
    return sorted(_invoke(work, "ls", *args))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ.setdefault("RAW_DATA_DIR", str(ROOT / "data" / "raw"))
    os.environ["DBT_PROFILES_DIR"] = str(ROOT)
    return tmp_path_factory.mktemp("dag")


def _parents(work: Path, *args: str) -> dict[str, list[str]]:
    lines = _ls(
        work, "--resource-type", "all", "--output", "json",
        "--output-keys", "unique_id", "depends_on", *args,
    )  # fmt: skip
    nodes = [json.loads(line) for line in lines]
    # seeds and sources have no parents
    return {n["unique_id"]: sorted(n.get("depends_on", {}).get("nodes", [])) for n in nodes}


def test_every_node_has_the_same_parents_with_and_without_vars(work: Path) -> None:
    without = _parents(work)
    with_as_of = _parents(work, *WITH_AS_OF)
    assert len(without) > 50
    assert without.keys() == with_as_of.keys()
    changed = {uid: (parents, with_as_of[uid]) for uid, parents in without.items()}
    changed = {uid: pair for uid, pair in changed.items() if pair[0] != pair[1]}
    assert not changed, changed
    # every dated model reads the business date model (the edge the vars used to hide)
    resolved = "model.segwarehouse.int_business_dates_resolved"
    assert resolved in without["model.segwarehouse.customer_features"]
    assert resolved in without["model.segwarehouse.int_orders_valued"]


def test_the_ancestors_of_customer_features_do_not_depend_on_vars(work: Path) -> None:
    select = ["--select", "+customer_features", "--resource-type", "model"]
    without = _ls(work, *select)
    assert "segwarehouse.intermediate.business_date.int_business_dates_resolved" in without
    assert without == _ls(work, *select, *WITH_AS_OF)


def _compiled(work: Path, *args: str) -> str:
    result = _invoke(work, "compile", "--select", "int_customer_surveys_latest", *args)
    return result.results[0].node.compiled_code


def test_the_business_date_compiles_on_a_fresh_warehouse(work: Path) -> None:
    # the in-memory test target holds no int_business_dates_resolved: without the var the
    # macro reads the model in SQL (right once it is built); with it, the var as a literal
    assert "(select as_of_date from" in _compiled(work)
    assert "int_business_dates_resolved" in _compiled(work)
    with_as_of = _compiled(work, *WITH_AS_OF)
    assert "date '2026-09-30'" in with_as_of
    assert "int_business_dates_resolved" not in with_as_of


def test_the_business_date_from_the_environment_needs_no_new_parse(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily job's way to give the date: SEGWAREHOUSE_AS_OF is read at execute time only,
    so a new day compiles to the new date on the saved parse (a new --vars value parses the
    whole project again)."""
    folder = work / "compile_env"
    compiled = {}
    for day in ("2026-09-29", "2026-09-30"):
        monkeypatch.setenv("SEGWAREHOUSE_AS_OF", day)
        node = _invoke(work, "compile", "--select", "int_customer_surveys_latest", folder=folder)
        compiled[day] = node.results[0].node.compiled_code
    assert "date '2026-09-29'" in compiled["2026-09-29"]
    assert "date '2026-09-30'" in compiled["2026-09-30"]
    assert "int_business_dates_resolved" not in compiled["2026-09-30"]
    log = (folder / "logs" / "dbt.log").read_text()
    second = log[log.rindex("Running with dbt=") :]  # the second call's part of the log
    assert "Partial parsing enabled, no changes found, skipping parsing" in second
    assert "Unable to do partial parsing" not in second


def test_every_snapshot_is_downstream_of_the_business_date(work: Path) -> None:
    # snapshots are timed by the business date (duckdb__snapshot_get_time reads the model by
    # name): on a fresh warehouse the model must be built before any snapshot runs
    snapshots = _ls(work, "--resource-type", "snapshot")
    assert len(snapshots) >= 4
    downstream = _ls(
        work, "--resource-type", "snapshot", "--select", "int_business_dates_resolved+"
    )
    assert downstream == snapshots
