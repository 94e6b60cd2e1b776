"""docs/raw-data-contract.md: its per-table part is generated from the staging spec (the column
meta of the sources' YAML) and must be committed as generated. Fast: no warehouse is built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from segwarehouse.tools import raw_contract_doc as doc

ROOT = Path(__file__).resolve().parents[2]


def test_committed_document_is_what_the_spec_generates() -> None:
    committed = doc.DOCUMENT.read_text()
    generated = doc.render_document(committed, doc.load_spec())
    assert generated == committed, (
        "docs/raw-data-contract.md differs from the staging spec in the sources' YAML: "
        "run make raw-contract-doc and commit the result"
    )


def test_every_raw_column_of_the_yaml_has_a_row() -> None:
    generated = doc.render_tables(doc.load_spec())
    sections = {block.splitlines()[0].split()[0]: block for block in generated.split("## ")[1:]}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                rows = [
                    line.split("|")[1].strip()
                    for line in sections[table["name"]].splitlines()
                    if line.startswith("| ") and not line.startswith("| column ")
                ]
                assert rows == [c["name"] for c in table["columns"]], table["name"]


def _copy_staging(tmp_path: Path) -> Path:
    staging = tmp_path / "staging"
    shutil.copytree(ROOT / "models" / "staging", staging)
    return staging


def _rows(tables: str, table: str) -> dict[str, list[str]]:
    section = tables.split(f"## {table} (")[1].split("\n## ")[0]
    return {
        cells[1].strip(): [c.strip() for c in cells[2:-1]]
        for cells in (line.split("|") for line in section.splitlines() if line.startswith("| "))
    }


def test_a_shared_value_list_reaches_every_column_naming_it(tmp_path: Path) -> None:
    staging = _copy_staging(tmp_path)
    shop = staging / "shop" / "_shop__sources.yml"
    text = shop.read_text()
    assert "channel: [web, app, store, marketplace]" in text
    shop.write_text(
        text.replace("channel: [web, app, store, marketplace]", "channel: [web, kiosk]")
    )
    tables = doc.render_tables(doc.load_spec(staging))
    accepted = 3  # column index of "accepted values" after the column name
    assert _rows(tables, "orders")["channel"][accepted] == "`web`, `kiosk`"
    assert _rows(tables, "customers")["signup_channel"][accepted] == "`web`, `kiosk`"
    # the tracking platform has its own list
    assert _rows(tables, "events")["platform"][accepted] == "`web`, `app`"


def test_a_list_named_in_another_source_is_resolved(tmp_path: Path) -> None:
    staging = _copy_staging(tmp_path)
    shop = staging / "shop" / "_shop__sources.yml"
    text = shop.read_text()
    shop.write_text(
        text.replace("style: [classic, artisan_limited, trendy, vintage]", "style: [boho]")
    )
    tables = doc.render_tables(doc.load_spec(staging))
    assert _rows(tables, "survey_responses")["style_preference"][3] == "`boho`"


def test_an_unknown_value_list_names_the_column(tmp_path: Path) -> None:
    staging = _copy_staging(tmp_path)
    survey = staging / "survey" / "_survey__sources.yml"
    survey.write_text(
        survey.read_text().replace("accepted_values: shop.style", "accepted_values: shop.styles")
    )
    with pytest.raises(
        doc.SpecError, match=r"survey\.survey_responses\.style_preference.*'shop\.styles'"
    ):
        doc.render_tables(doc.load_spec(staging))


def test_an_unknown_parse_kind_names_the_column(tmp_path: Path) -> None:
    staging = _copy_staging(tmp_path)
    orders = staging / "shop" / "_shop__sources.yml"
    orders.write_text(
        orders.read_text().replace("meta: {parse: amount}", "meta: {parse: money}", 1)
    )
    with pytest.raises(doc.SpecError, match=r"shop\.orders\.subtotal_amount.*'money'"):
        doc.render_tables(doc.load_spec(staging))


def test_the_prose_outside_the_markers_is_kept_and_markers_are_required() -> None:
    spec = doc.load_spec()
    document = f"# Title\nprose before\n{doc.BEGIN}\nstale tables\n{doc.END}\nprose after\n"
    rendered = doc.render_document(document, spec)
    assert rendered.startswith(f"# Title\nprose before\n{doc.BEGIN}\n")
    assert rendered.endswith(f"{doc.END}\nprose after\n")
    assert "stale tables" not in rendered
    assert "## orders (required) -- source `shop`" in rendered
    with pytest.raises(doc.SpecError, match="markers"):
        doc.render_document("# no markers\n", spec)


def test_the_demo_generator_draws_exactly_the_accepted_values() -> None:
    """The generator keeps its own tuples (their positions index its probabilities and states),
    so this is where they are held to the spec: each draws exactly the values accepted."""
    from segwarehouse.generate import events as _generate_events
    from segwarehouse.generate import model as _generate_model

    spec = doc.load_spec()

    def accepted(source: str, table: str, column: str) -> set[str]:
        t = spec.table(source, table)
        values = spec.accepted_values(t, next(c for c in t.columns if c.name == column))
        assert values is not None, f"{table}.{column} has no accepted values"
        return set(values)

    pairs = [
        (_generate_model.CHANNELS, ("shop", "customers", "signup_channel")),
        (_generate_model.CHANNELS, ("shop", "orders", "channel")),
        (_generate_model.STATUSES, ("shop", "orders", "status")),
        (_generate_model.CURRENCIES, ("shop", "orders", "currency")),
        (_generate_model.CATEGORIES, ("shop", "products", "category")),
        (_generate_model.METALS, ("shop", "products", "metal")),
        (_generate_model.STYLES, ("shop", "products", "style")),
        (_generate_model.STYLES, ("survey", "survey_responses", "style_preference")),
        (_generate_model.CONSENT_SOURCES, ("privacy", "consent_events", "source")),
        (_generate_events.EVENT_TYPES, ("tracking", "events", "event_type")),
    ]
    for drawn, where in pairs:
        assert set(drawn) == accepted(*where), where


def test_a_misspelt_meta_key_names_the_column(tmp_path: Path) -> None:
    staging = _copy_staging(tmp_path)
    orders = staging / "shop" / "_shop__sources.yml"
    text = orders.read_text()
    old = "meta: {parse: amount, nullable: true}"
    assert old in text
    orders.write_text(text.replace(old, "meta: {parse: amount, nulable: true}", 1))
    with pytest.raises(doc.SpecError, match=r"shop\.orders\.discount_amount.*unknown meta nulable"):
        doc.load_spec(staging)
