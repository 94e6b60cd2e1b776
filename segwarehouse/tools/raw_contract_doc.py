"""Writes the per-table part of docs/raw-data-contract.md from the staging spec.

    python -m segwarehouse.tools.raw_contract_doc          # rewrite the document
    python -m segwarehouse.tools.raw_contract_doc --check  # exit 1 if it is out of date

The spec is the column meta of the sources' YAML (models/staging/<source>/_<source>__sources.yml),
the same that the staging macros read (staged_columns, staged_checks, ...): parse kind, staged
name, whether the column may be absent (required: false) or its value missing (nullable: true),
accepted values (inline, or a list named in a source's meta value_lists), range, not_before and
whether a failed check quarantines the row or repairs the value (invalid: repair). The document's
hand-written prose stays as written; only the part between the two markers is generated.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "models" / "staging"
DOCUMENT = ROOT / "docs" / "raw-data-contract.md"
BEGIN = (
    "<!-- generated from the sources' YAML by `make raw-contract-doc`"
    " (segwarehouse/tools/raw_contract_doc.py): edit the YAML, not this part -->"
)
END = "<!-- end of the generated part -->"

PARSE_KINDS = {
    "identifier": "identifier (trimmed; junk placeholders are missing)",
    "code": "code (trimmed, lowercase)",
    "upper_code": "code (trimmed, uppercase)",
    "snake_code": "code (trimmed, lowercase, `-` read as `_`)",
    "text": "text (trimmed)",
    "lower_text": "text (trimmed, lowercase)",
    "amount": "decimal(18, 2)",
    "integer": "integer",
    "boolean": "boolean",
    "timestamp": "UTC timestamp",
}
CODE_KINDS = {"code", "upper_code", "snake_code"}
META_KEYS = {
    "parse", "staged_as", "required", "nullable", "accepted_values", "range", "not_before",
    "tolerance_hours", "format", "invalid", "check", "content", "content_as",
}  # fmt: skip
CONTRACT_TYPES = {"varchar": "text", "integer": "number", "boolean": "boolean"}


class SpecError(ValueError):
    """A sources' YAML whose staging spec cannot be read."""


@dataclass(frozen=True)
class Column:
    """One raw column and its staging spec (the column's meta)."""

    name: str
    data_type: str
    description: str
    meta: dict[str, Any]
    where: str  # source.table.column, for error messages

    @property
    def staged_name(self) -> str:
        return str(self.meta.get("staged_as", self.name))

    @property
    def parse(self) -> str:
        kind = self.meta.get("parse")
        if kind not in PARSE_KINDS:
            raise SpecError(
                f"{self.where}: meta parse is {kind!r}, expected one of {', '.join(PARSE_KINDS)}"
            )
        return str(kind)

    @property
    def in_file(self) -> bool:
        """The column must be present in the raw file (meta required, read by raw_source)."""
        return bool(self.meta.get("required", True))

    @property
    def nullable(self) -> bool:
        return bool(self.meta.get("nullable", False))

    @property
    def repair(self) -> bool:
        return self.meta.get("invalid") == "repair"

    @property
    def checked(self) -> bool:
        return bool(self.meta.get("check", True))


@dataclass(frozen=True)
class Table:
    """A raw table of a source."""

    source: str
    name: str
    description: str
    optional: bool
    checks_in_model: bool
    columns: list[Column]


@dataclass
class Spec:
    """Every source's raw tables, and the named value lists of every source."""

    tables: list[Table] = field(default_factory=list)
    value_lists: dict[str, list[str]] = field(default_factory=dict)  # "<source>.<list>"

    def table(self, source: str, name: str) -> Table:
        for table in self.tables:
            if (table.source, table.name) == (source, name):
                return table
        raise SpecError(f"no raw table {source}.{name} in {STAGING}")

    def accepted_values(self, table: Table, column: Column) -> list[str] | None:
        """The column's accepted values, resolving a named list like the macros do."""
        accepted = column.meta.get("accepted_values")
        if accepted is None:
            return None
        if isinstance(accepted, str):
            qualified = accepted if "." in accepted else f"{table.source}.{accepted}"
            if qualified not in self.value_lists:
                raise SpecError(
                    f"{column.where}: accepted_values names list {accepted!r}, which no "
                    f"source's meta value_lists declares (known: {', '.join(sorted(self.value_lists))})"
                )
            accepted = self.value_lists[qualified]
        return _strings(accepted, column.where)


def _strings(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SpecError(f"{where}: accepted values must be a list of strings, got {values!r}")
    return list(values)


def load_spec(staging: Path = STAGING) -> Spec:
    """Read the staging spec from every models/staging/<source>/_<source>__sources.yml."""
    spec = Spec()
    paths = sorted(staging.glob("*/_*__sources.yml"))
    if not paths:
        raise SpecError(f"no sources' YAML under {staging}")
    for path in paths:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for source in yaml.safe_load(path.read_text())["sources"]:
            name = source["name"]
            for list_name, values in (source.get("meta") or {}).get("value_lists", {}).items():
                spec.value_lists[f"{name}.{list_name}"] = _strings(
                    values, f"{path.name}: value list {list_name}"
                )
            for table in source["tables"]:
                meta = table.get("meta") or {}
                for column in table["columns"]:
                    unknown = set(column.get("meta") or {}) - META_KEYS
                    if unknown:
                        raise SpecError(
                            f"{name}.{table['name']}.{column['name']} ({shown}): unknown meta "
                            f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(META_KEYS))}"
                        )
                columns = [
                    Column(
                        name=column["name"],
                        data_type=column["data_type"],
                        description=" ".join(str(column.get("description", "")).split()),
                        meta=column.get("meta") or {},
                        where=f"{name}.{table['name']}.{column['name']} ({shown})",
                    )
                    for column in table["columns"]
                ]
                spec.tables.append(
                    Table(
                        source=name,
                        name=table["name"],
                        description=" ".join(str(table.get("description", "")).split()),
                        optional=bool(meta.get("optional", False)),
                        checks_in_model=meta.get("checks") == "model",
                        columns=columns,
                    )
                )
    return spec


def _contract_type(data_type: str) -> str:
    lowered = data_type.lower()
    if lowered.startswith("decimal"):
        return "number"
    if lowered.startswith("timestamp"):
        return "timestamp"
    return CONTRACT_TYPES.get(lowered, lowered)


def _check(column: Column) -> str:
    """What a value must be, in words (the check staged_checks/staged_value_issues generate)."""
    kind = column.parse
    parts: list[str] = []
    if kind == "identifier" and not column.nullable:
        parts.append("present")
    elif kind in CODE_KINDS and column.meta.get("accepted_values") is not None:
        parts.append("one of the accepted values")
    elif kind == "amount":
        parts.append("a number from 0 to `max_plausible_amount`")
    elif kind == "integer":
        bounds = column.meta.get("range")
        parts.append(f"an integer from {bounds[0]} to {bounds[1]}" if bounds else "an integer")
    elif kind == "boolean":
        parts.append("a boolean")
    elif kind == "timestamp":
        parts.append("a plausible time")
    elif column.meta.get("format") == "json":
        parts.append("a JSON object")
    not_before = column.meta.get("not_before")
    if not_before:
        tolerance = column.meta.get("tolerance_hours", 0)
        skew = f" (less {tolerance} h)" if tolerance else ""
        parts.append(f"not before `{not_before}`{skew}")
    return "; ".join(parts)


def _rule(table: Table, column: Column) -> str:
    """The column's check and what a failure does (quarantine, or repair)."""
    if table.checks_in_model:
        return ""
    if not column.checked:
        return "not checked"
    check = _check(column)
    if not check:
        return ""
    outcome = "else set to null (`repaired`)" if column.repair else "else quarantined"
    return f"{check}, {outcome}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_tables(spec: Spec) -> str:
    """The generated part: one section per raw table, one row per raw column."""
    # the sources with required tables first (the shop), then by name
    order = sorted(
        spec.tables,
        key=lambda t: (all(o.optional for o in spec.tables if o.source == t.source), t.source),
    )
    lines: list[str] = []
    for table in order:
        requirement = "optional" if table.optional else "required"
        lines += [
            f"## {table.name} ({requirement}) -- source `{table.source}`",
            table.description,
            "",
            "| column | type | parsed as (staged name) | value | accepted values | check | meaning |",
            "|---|---|---|---|---|---|---|",
        ]
        for column in table.columns:
            parsed = PARSE_KINDS[column.parse]
            if column.staged_name != column.name:
                parsed += f" as `{column.staged_name}`"
            presence = "may be absent" if not column.in_file else ""
            value = "may be null" if column.nullable else "required"
            if table.checks_in_model:
                value = "see *Consent fails closed*"
            type_cell = _contract_type(column.data_type) + (f" ({presence})" if presence else "")
            accepted = spec.accepted_values(table, column)
            accepted_cell = ", ".join(f"`{v}`" for v in accepted) if accepted else ""
            cells = [
                column.name,
                type_cell,
                parsed,
                value,
                accepted_cell,
                _rule(table, column),
                column.description,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def render_document(document: str, spec: Spec) -> str:
    """The document with its generated part (between the markers) rebuilt from the spec."""
    if document.count(BEGIN) != 1 or document.count(END) != 1:
        raise SpecError(
            f"{DOCUMENT.name}: expected the markers {BEGIN!r} and {END!r} once each, "
            "around the per-table part"
        )
    head, rest = document.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n\n{render_tables(spec)}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
    parser.add_argument("--document", type=Path, default=DOCUMENT)
    args = parser.parse_args(argv)
    current = args.document.read_text()
    wanted = render_document(current, load_spec())
    if args.check:
        if wanted != current:
            print(f"{args.document} is out of date: run make raw-contract-doc", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        args.document.write_text(wanted)
        print(f"wrote {args.document}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
