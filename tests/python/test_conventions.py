"""Project conventions read from dbt's manifest: every model documented and keyed, names that
tell the layer, staging that reads only raw data, and nothing that reads the identity model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, Project

from segwarehouse.dbt_plugin import IDENTITY_CATALOG
from segwarehouse.tools import history

RESTRICTED_MODEL = "model.segwarehouse.stg_shop__customer_identities"
PK_TESTS = {"unique", "unique_combination"}


@pytest.fixture(scope="module")
def manifest(project: Project) -> dict:
    return project.manifest


def _models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "segwarehouse"
    }


def test_every_model_and_column_is_documented(manifest: dict) -> None:
    missing = []
    for node in _models(manifest).values():
        if not node["description"].strip():
            missing.append(node["name"])
        if not node["columns"]:
            missing.append(f"{node['name']}: no columns documented")
        for column in node["columns"].values():
            if not column["description"].strip():
                missing.append(f"{node['name']}.{column['name']}")
    assert not missing, missing


def test_every_model_has_a_primary_key_test(manifest: dict) -> None:
    keyed: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = (node.get("test_metadata") or {}).get("name")
        if name in PK_TESTS:
            keyed.update(node["depends_on"]["nodes"])
    unkeyed = [n["name"] for uid, n in _models(manifest).items() if uid not in keyed]
    assert not unkeyed, unkeyed


LAYER_NAMES = {
    "staging": re.compile(r"^(stg|base)_[a-z]+__[a-z_]+$"),
    "intermediate": re.compile(r"^int_[a-z_]+$"),
}


def test_model_names_follow_their_layer(manifest: dict) -> None:
    wrong = []
    for node in _models(manifest).values():
        layer = Path(node["original_file_path"]).parts[1]
        pattern = LAYER_NAMES.get(layer)
        if pattern and not pattern.match(node["name"]):
            wrong.append(f"{layer}: {node['name']}")
        if layer == "staging":
            source = Path(node["original_file_path"]).parts[2]
            if not node["name"].split("_", 1)[1].startswith(f"{source}__"):
                wrong.append(f"{node['name']} is not named after its source folder {source}")
        if layer not in ("staging", "intermediate", "marts"):
            wrong.append(f"{node['name']} is outside the three layers")
    assert not wrong, wrong


def test_only_staging_reads_sources_and_staging_reads_no_other_staging(manifest: dict) -> None:
    models = _models(manifest)
    wrong = []
    for node in models.values():
        layer = Path(node["original_file_path"]).parts[1]
        deps = node["depends_on"]["nodes"]
        if layer != "staging" and any(d.startswith("source.") for d in deps):
            wrong.append(f"{node['name']} reads a source")
        if layer == "staging" and node["name"].startswith("stg_"):
            for dep in deps:
                parent = models.get(dep)
                if parent and parent["name"].startswith("stg_"):
                    wrong.append(f"{node['name']} reads {parent['name']}")
        if layer == "marts":
            staging_sources = set()
            for dep in deps:
                parent = models.get(dep)
                if parent and parent["name"].startswith("base_"):
                    wrong.append(f"{node['name']} reads {parent['name']}")
                if parent and parent["name"].startswith("stg_"):
                    staging_sources.add(parent["name"][4:].split("__")[0])
            if len(staging_sources) > 1:
                wrong.append(
                    f"{node['name']} reads staging models of several sources "
                    f"({', '.join(sorted(staging_sources))}): combine them in intermediate/"
                )
    assert not wrong, wrong


LAYER_ORDER = {"staging": 0, "intermediate": 1, "marts": 2}


def test_data_flows_one_way_from_staging_to_marts(manifest: dict) -> None:
    """No model reads a model of a later layer: intermediate never reads a mart, staging reads
    no intermediate model or mart. (Snapshots are history, read like a source: the KPI
    concerns in intermediate/kpis read segment_history.)"""
    models = _models(manifest)
    wrong = []
    for node in models.values():
        layer = Path(node["original_file_path"]).parts[1]
        for dep in node["depends_on"]["nodes"]:
            parent = models.get(dep)
            if parent is not None:
                parent_layer = Path(parent["original_file_path"]).parts[1]
                if LAYER_ORDER[parent_layer] > LAYER_ORDER[layer]:
                    wrong.append(f"{layer} {node['name']} reads {parent_layer} {parent['name']}")
    assert models
    assert not wrong, wrong


def test_no_model_reads_the_restricted_identity_model(manifest: dict) -> None:
    readers = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and RESTRICTED_MODEL in node["depends_on"]["nodes"]
    ]
    assert not readers, readers


def test_only_the_identity_model_is_written_to_the_identity_file(manifest: dict) -> None:
    """Personal data goes to the identity file (catalog `restricted`), and nothing else does."""
    in_identity_file = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["database"] == IDENTITY_CATALOG
    )
    personal = sorted(
        node["name"]
        for node in _models(manifest).values()
        if node["config"].get("meta", {}).get("contains_personal_data")
    )
    assert in_identity_file == personal == [RESTRICTED_MODEL.split(".")[-1]]


# Incremental models that accumulate history one business date at a time: a run of several
# days holds more than a one-day full build by design (tested in test_segments / test_kpis);
# the ones `make history-rollback` rolls back, as segwarehouse.tools.history lists them.
HISTORY_MODELS = {
    relation.split(".")[-1] for relation in (history.TRACKED, *(r for r, _ in history.DAILY))
}


def test_every_incremental_model_is_proven_equal_to_a_full_rebuild(manifest: dict) -> None:
    from test_features import INCREMENTAL_RELATIONS

    proven = {relation.split(".")[-1] for relation in INCREMENTAL_RELATIONS}
    incremental = {
        node["name"]
        for node in _models(manifest).values()
        if node["config"]["materialized"] == "incremental"
    }
    assert incremental & proven, "no incremental model found: is the manifest read right?"
    assert not incremental - HISTORY_MODELS - proven, incremental - HISTORY_MODELS - proven


def test_the_segment_registry_is_the_yaml_of_its_model(manifest: dict) -> None:
    # a registry change is a change of this node's config: state:modified and the docs see it
    node = manifest["nodes"]["model.segwarehouse.int_segment_versions_validated"]
    entries = node["config"]["meta"]["segment_registry"]
    assert len({entry["segment_id"] for entry in entries}) >= 12
    assert node["language"] == "sql"
    # the var that replaces it (tests, what-if runs) is unset in the project
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    assert project["vars"]["segment_registry"] is None


def test_the_segment_registry_model_reads_no_model(manifest: dict) -> None:
    # it validates the registry file alone; the feature columns are a data test's business
    node = manifest["nodes"]["model.segwarehouse.int_segment_versions_validated"]
    assert node["depends_on"]["nodes"] == []
    tests = [
        n for n in manifest["nodes"].values()
        if (n.get("test_metadata") or {}).get("name") == "segment_features_exist"
    ]  # fmt: skip
    assert [sorted(t["depends_on"]["nodes"]) for t in tests] == [
        [
            "model.segwarehouse.customer_features",
            "model.segwarehouse.int_segment_versions_validated",
        ]
    ]


def test_every_mart_has_an_enforced_contract_with_typed_columns(manifest: dict) -> None:
    """What BI tools and auditors read keeps its columns and types (STYLE.md, Marts): every
    model under models/marts/ enforces a contract, every column declares a data_type, and a
    contracted incremental model says what a schema change does (else dbt refuses to parse)."""
    marts = {  # ephemeral models (what the snapshots record) are never stored nor published
        node["name"]: node
        for node in _models(manifest).values()
        if Path(node["original_file_path"]).parts[1] == "marts"
        and node["config"]["materialized"] != "ephemeral"
    }
    assert marts, "no mart found: is the manifest read right?"
    wrong = []
    for name, node in sorted(marts.items()):
        enforced = bool(node["config"].get("contract", {}).get("enforced"))
        if not enforced:
            wrong.append(f"{name}: no enforced contract")
            continue
        untyped = [
            column["name"] for column in node["columns"].values() if not column.get("data_type")
        ]
        if untyped:
            wrong.append(f"{name}: columns without data_type: {', '.join(untyped)}")
        if node["config"]["materialized"] == "incremental" and node["config"].get(
            "on_schema_change"
        ) not in ("fail", "append_new_columns"):
            wrong.append(f"{name}: incremental with a contract needs on_schema_change fail")
    assert not wrong, wrong


def test_every_snapshot_is_a_yaml_snapshot_of_a_ref(manifest: dict) -> None:
    """dbt >= 1.9 snapshots (STYLE.md): defined in YAML, the relation a ref, never a Jinja
    snapshot block with SQL of its own (that logic lives in the model it snapshots)."""
    snapshots = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "snapshot" and node["package_name"] == "segwarehouse"
    }
    assert snapshots, "no snapshot found: is the manifest read right?"
    wrong = [
        f"{name}: {node['original_file_path']}"
        for name, node in sorted(snapshots.items())
        if not node["original_file_path"].endswith(".yml")
        or not re.fullmatch(r"select \* from \{\{ ref\('[a-z_]+'\) \}\}", node["raw_code"])
    ]
    assert not wrong, wrong
