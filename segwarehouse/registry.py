"""The segment registry: load `segments/registry.yml`, validate every version, hash its definition.

The consent purposes are those of the dbt project (var consent_purposes in dbt_project.yml, the
one list SQL reads too): the dbt model passes the var's value; other callers read the file.

Every problem is reported with the segment and version it belongs to, all at once, so a reviewer
sees the whole list in one failed build. Rules are parsed with sqlglot (DuckDB dialect): a rule
must be one predicate over `customer_features` columns, never a statement, a subquery or a read
of another table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
import yaml
from sqlglot import exp

# the project this package belongs to, and the registry's path inside a dbt project
PROJECT_DIR = Path(__file__).resolve().parents[1]
PROJECT_REGISTRY = Path("segments") / "registry.yml"
LAWFUL_BASES = ("consent", "contract", "legitimate_interest", "legal_obligation")
RISK_LEVELS = ("low", "medium", "high")
PERSISTENCE = ("persistent", "session_only")
REQUIRED = (
    "segment_id",
    "version",
    "name",
    "description",
    "rule",
    "feature_columns",
    "required_purpose",
    "lawful_basis",
    "risk_level",
    "retention_days",
    "persistence",
    "holdout_pct",
    "owner",
    "author",
    "valid_from",
    "change_reason",
    "downstream_uses",
)
OPTIONAL = ("valid_to",)
# the fields whose change makes a different definition (and a different hash)
DEFINITION = (
    "segment_id",
    "version",
    "rule",
    "feature_columns",
    "required_purpose",
    "lawful_basis",
    "risk_level",
    "retention_days",
    "persistence",
    "holdout_pct",
    "valid_from",
    "valid_to",
)
SEGMENT_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
# nodes a predicate may never contain: statements, subqueries, reads of relations
FORBIDDEN = (
    exp.Select,
    exp.Subquery,
    exp.Table,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Drop,
    exp.Create,
    exp.Command,
    exp.Merge,
    exp.Alter,
    exp.Star,
)

SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("segment_version", pa.int32()),
        ("segment_name", pa.string()),
        ("description", pa.string()),
        ("rule_sql", pa.string()),
        ("feature_columns", pa.list_(pa.string())),
        ("required_purpose", pa.string()),
        ("lawful_basis", pa.string()),
        ("risk_level", pa.string()),
        ("retention_days", pa.int32()),
        ("persistence", pa.string()),
        ("holdout_pct", pa.float64()),
        ("owner", pa.string()),
        ("author", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
        ("change_reason", pa.string()),
        ("downstream_uses", pa.list_(pa.string())),
        ("definition_hash", pa.string()),
    ]
)


class RegistryError(ValueError):
    """The registry is invalid; the message lists every problem, one per line."""


def consent_purposes(project_dir: Path = PROJECT_DIR) -> tuple[str, ...]:
    """The consent purposes of a dbt project: var consent_purposes of its dbt_project.yml."""
    project = project_dir / "dbt_project.yml"
    entries = (yaml.safe_load(project.read_text()).get("vars") or {}).get("consent_purposes")
    names = [entry.get("name") for entry in entries or [] if isinstance(entry, dict)]
    if not names or not all(isinstance(name, str) and name for name in names):
        raise RegistryError(
            f"{project}: var consent_purposes must be a list of {{name, description}} entries"
        )
    return tuple(names)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_recorded_hash(path: Path, recorded: str | None) -> None:
    """The registry file's sha256 must be the one recorded in the config of the dbt model
    (registry_sha256): the file is read by a Python model, so dbt sees a change of it
    (state:modified, docs) only through that config."""
    actual = file_sha256(path)
    if recorded != actual:
        raise RegistryError(
            f"segment registry {path} has sha256 {actual}, but config registry_sha256 of "
            f"int_segment_versions_validated records {recorded!r}: after reviewing the change, "
            f"set registry_sha256: {actual} in models/intermediate/segments/_int_segments__models.yml"
        )


def rule_columns(rule: str) -> set[str]:
    """The columns a rule reads; raises ValueError when the rule is not a single predicate."""
    if ";" in rule:
        raise ValueError("a rule is one predicate: ';' is not allowed")
    try:
        parsed = sqlglot.parse(rule, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"rule does not parse as SQL: {error}") from error
    if len(parsed) != 1 or parsed[0] is None:
        raise ValueError("a rule is one predicate, not several statements")
    tree = parsed[0]
    for node in tree.walk():
        if isinstance(node, FORBIDDEN):
            kind = type(node).__name__.upper()
            raise ValueError(f"a rule is a predicate over customer_features: {kind} is not allowed")
    columns = set()
    for column in tree.find_all(exp.Column):
        if column.table:
            raise ValueError(f"a rule reads only customer_features: '{column.sql()}' is qualified")
        columns.add(column.name.lower())
    if not columns:
        raise ValueError("a rule must read at least one feature column")
    return columns


def definition_hash(entry: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the fields that define what the segment selects."""
    payload = {key: entry.get(key) for key in DEFINITION}
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _check_entry(
    entry: dict[str, Any], columns: set[str] | None, purposes: tuple[str, ...]
) -> list[str]:
    problems = []
    missing = [key for key in REQUIRED if entry.get(key) in (None, "", [])]
    problems += [f"missing {key}" for key in missing]
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    problems += [f"unknown field {key}" for key in unknown]
    choices = (
        ("required_purpose", purposes, "unknown consent purpose"),
        ("lawful_basis", LAWFUL_BASES, "unknown lawful_basis"),
        ("risk_level", RISK_LEVELS, "unknown risk_level"),
        ("persistence", PERSISTENCE, "unknown persistence"),
    )
    for key, allowed, what in choices:
        value = entry.get(key)
        if value not in (None, "") and value not in allowed:
            problems.append(f"{what} '{value}' (expected one of {', '.join(allowed)})")
    if not SEGMENT_ID.match(str(entry.get("segment_id") or "x")):
        problems.append("segment_id must be lower snake case")
    if entry.get("risk_level") == "high" and entry.get("lawful_basis") not in (None, "consent"):
        problems.append(
            f"high risk segments need lawful_basis consent, not '{entry['lawful_basis']}'"
        )
    holdout = entry.get("holdout_pct")
    if holdout is not None and not (
        isinstance(holdout, int | float) and not isinstance(holdout, bool) and 0 <= holdout <= 0.5
    ):
        problems.append(f"holdout_pct must be a number in [0, 0.5], got {holdout!r}")
    retention = entry.get("retention_days")
    if retention is not None and not (
        isinstance(retention, int) and not isinstance(retention, bool) and 1 <= retention <= 730
    ):
        problems.append(f"retention_days must be a whole number in [1, 730], got {retention!r}")
    if entry.get("persistence") == "session_only" and retention not in (None, 1):
        problems.append("session_only segments keep membership for the day: retention_days 1")
    declared = entry.get("feature_columns") or []
    if not isinstance(declared, list):
        problems.append("feature_columns must be a list")
        declared = []
    declared_set = {str(c).lower() for c in declared}
    # columns None: checked against the built features by the data test segment_features_exist
    known = declared_set if columns is None else columns
    for column in sorted(declared_set - known):
        problems.append(f"unknown column '{column}' in feature_columns")
    rule = entry.get("rule")
    if rule not in (None, ""):
        try:
            used = rule_columns(str(rule))
        except ValueError as error:
            problems.append(str(error))
        else:
            unknown = set() if columns is None else used - columns
            for column in sorted(unknown):
                problems.append(f"rule reads unknown column '{column}'")
            for column in sorted(used - unknown - declared_set):
                problems.append(f"rule reads '{column}', which feature_columns does not declare")
    for key in ("valid_from", "valid_to"):
        try:
            _as_date(entry.get(key))
        except ValueError:
            problems.append(f"{key} is not a date: {entry.get(key)!r}")
    return problems


def _check_versions(segment_id: str, entries: list[dict[str, Any]]) -> list[str]:
    """Versions run 1..n, each starts after the previous one and no two are in force at once."""
    problems = []
    versions = [entry.get("version") for entry in entries]
    if sorted(map(str, versions)) != sorted(map(str, range(1, len(entries) + 1))):
        problems.append(
            f"segment '{segment_id}': versions must be 1..{len(entries)} once each, got {versions}"
        )
        return problems
    ordered = sorted(entries, key=lambda entry: entry["version"])
    names = {entry.get("name") for entry in ordered}
    if len(names) > 1:
        problems.append(
            f"segment '{segment_id}': a segment_id is never reused for another segment, "
            f"but its versions have the names {sorted(map(str, names))}"
        )
    for before, after in itertools.pairwise(ordered):
        start, end = _as_date(before.get("valid_from")), _as_date(before.get("valid_to"))
        next_start = _as_date(after.get("valid_from"))
        if start is None or next_start is None:
            continue
        if next_start <= start or (end is not None and end > next_start):
            problems.append(
                f"segment '{segment_id}': versions {before['version']} and {after['version']} "
                f"overlap (v{before['version']} from {start} to {end or 'open'}, "
                f"v{after['version']} from {next_start})"
            )
    return problems


def validate(
    entries: Iterable[dict[str, Any]],
    feature_columns: Iterable[str] | None = None,
    purposes: Iterable[str] | None = None,
) -> list[dict]:
    """Validated versions with valid_to filled from the next version, or RegistryError.
    feature_columns None: the columns are not checked here (the dbt build checks them against
    customer_features, test segment_features_exist); purposes None: the project's."""
    columns = None if feature_columns is None else {column.lower() for column in feature_columns}
    allowed = consent_purposes() if purposes is None else tuple(purposes)
    entries = list(entries)
    problems: list[str] = []
    by_segment: dict[str, list[dict[str, Any]]] = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"entry {position}: expected a mapping of fields")
            continue
        label = f"segment '{entry.get('segment_id') or f'#{position}'}' v{entry.get('version')}"
        problems += [f"{label}: {p}" for p in _check_entry(entry, columns, allowed)]
        by_segment.setdefault(str(entry.get("segment_id")), []).append(entry)
    for segment_id, versions in by_segment.items():
        problems += _check_versions(segment_id, versions)
    if problems:
        raise RegistryError(
            f"segment registry: {len(problems)} problem(s):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    rows = []
    for versions in by_segment.values():
        ordered = sorted(versions, key=lambda entry: entry["version"])
        for position, entry in enumerate(ordered):
            row = {key: entry.get(key) for key in (*REQUIRED, *OPTIONAL)}
            row["valid_from"] = _as_date(row["valid_from"])
            row["valid_to"] = _as_date(row.get("valid_to"))
            if row["valid_to"] is None and position + 1 < len(ordered):
                row["valid_to"] = _as_date(ordered[position + 1]["valid_from"])
            row["feature_columns"] = [str(c).lower() for c in row["feature_columns"]]
            row["definition_hash"] = definition_hash(row)
            rows.append(row)
    return sorted(rows, key=lambda row: (row["segment_id"], row["version"]))


def load(
    path: Path,
    feature_columns: Iterable[str] | None = None,
    purposes: Iterable[str] | None = None,
) -> pa.Table:
    """Read and validate the registry file; the result is the table dbt materializes."""
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise RegistryError(
            f"segment registry not found: {path} (var segment_registry_path, relative to the "
            "dbt project)"
        ) from error
    except yaml.YAMLError as error:
        raise RegistryError(f"segment registry {path} is not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("segments"), list):
        raise RegistryError(f"segment registry {path}: expected a top-level list 'segments:'")
    try:
        rows = validate(document["segments"], feature_columns, purposes)
    except RegistryError as error:
        raise RegistryError(f"{path}: {error}") from None
    columns = {
        "segment_id": [r["segment_id"] for r in rows],
        "segment_version": [r["version"] for r in rows],
        "segment_name": [r["name"] for r in rows],
        "description": [r["description"] for r in rows],
        "rule_sql": [" ".join(str(r["rule"]).split()) for r in rows],
        "feature_columns": [r["feature_columns"] for r in rows],
        "required_purpose": [r["required_purpose"] for r in rows],
        "lawful_basis": [r["lawful_basis"] for r in rows],
        "risk_level": [r["risk_level"] for r in rows],
        "retention_days": [r["retention_days"] for r in rows],
        "persistence": [r["persistence"] for r in rows],
        "holdout_pct": [float(r["holdout_pct"]) for r in rows],
        "owner": [r["owner"] for r in rows],
        "author": [r["author"] for r in rows],
        "valid_from": [r["valid_from"] for r in rows],
        "valid_to": [r["valid_to"] for r in rows],
        "change_reason": [r["change_reason"] for r in rows],
        "downstream_uses": [[str(u) for u in r["downstream_uses"]] for r in rows],
        "definition_hash": [r["definition_hash"] for r in rows],
    }
    return pa.table(columns, schema=SCHEMA)
