"""The auditor's package (python -m segwarehouse.tools.audit) on the simulated days: its PDF,
read back with pdftotext, has every section; the reproduction proof is equal; its figures are
the marts' own; it holds no personal data; a request history cannot answer is refused, and a
tampered history is reported as a difference."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import END, START, Simulation
from warehouse import connect

from segwarehouse.dbt_plugin import identity_path
from segwarehouse.tools import audit
from segwarehouse.tools.audit_report import SECTIONS

AUDIT_DATE = END - timedelta(days=2)
# a segment the experiments expose (its lift can be read) and one they do not
EXPOSED_SEGMENT = "cart_abandoners"
UNEXPOSED_SEGMENT = "vip_high_value"


@dataclass
class Audited:
    code: int
    folder: Path
    package: dict
    text: str  # the PDF as pdftotext reads it


def _audit(warehouse: Path, out: Path, segment: str, day: date) -> Audited:
    code = audit.main(
        ["--segment", segment, "--date", str(day), "--warehouse", str(warehouse), "--out", str(out)]
    )
    folder = out / segment / str(day)
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "package.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Audited(code, folder, json.loads((folder / "package.json").read_text()), text)


@pytest.fixture(scope="module")
def audited(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Audited]:
    out = tmp_path_factory.mktemp("audit")
    return {
        segment: _audit(simulation.warehouse, out, segment, AUDIT_DATE)
        for segment in (EXPOSED_SEGMENT, UNEXPOSED_SEGMENT)
    }


def _recorded_keys(simulation: Simulation, segment: str, day: date) -> list[str]:
    con = connect(simulation.warehouse)
    keys = con.execute(
        "select customer_key from history.segment_history where segment_id = ? "
        "and cast(dbt_valid_from as date) <= ? "
        "and (dbt_valid_to is null or ? < cast(dbt_valid_to as date)) order by 1",
        [segment, day, day],
    ).fetchall()
    con.close()
    return [key for (key,) in keys]


@pytest.mark.parametrize("segment", [EXPOSED_SEGMENT, UNEXPOSED_SEGMENT])
def test_the_pdf_has_every_section_and_the_reproduction_is_equal(
    audited: dict[str, Audited], segment: str
) -> None:
    result = audited[segment]
    assert result.code == 0
    for _, title in SECTIONS:
        assert title in result.text, title
    assert "EQUAL: the members re-run from the snapshots alone" in result.text
    pages = re.findall(r"page (\d+) of (\d+)", result.text)
    assert pages and pages[0] == ("1", pages[0][1]) and pages[-1][0] == pages[-1][1]
    proof = result.package["reproduction"]
    assert proof["equal"] and proof["recorded_members"] == proof["reproduced_members"] > 0
    assert proof["recorded_sha256"] == proof["reproduced_sha256"]
    # every registry field of the spec in force, in the PDF and the JSON
    spec = result.package["spec"]
    for name in ("owner", "author", "lawful_basis", "risk_level", "retention_days",
                 "persistence", "holdout_pct", "downstream_uses", "valid_from",
                 "change_reason", "definition_hash", "description"):  # fmt: skip
        assert name in spec and spec[name] is not None, name
        assert name in result.text, name
    assert spec["definition_hash"] in result.text.replace("\n", "")
    assert spec["segment_id"] == segment
    # the version in force: the one whose validity covers the day, exactly one
    versions = result.package["versions"]
    in_force = [v for v in versions if v["in_force_on_date"]]
    assert [v["segment_version"] for v in in_force] == [spec["segment_version"]]
    day = str(AUDIT_DATE)
    assert spec["valid_from"] <= day and (spec["valid_to"] is None or day < spec["valid_to"])


def test_the_member_lists_are_segment_history_on_the_day(
    simulation: Simulation, audited: dict[str, Audited]
) -> None:
    for segment, result in audited.items():
        expected = _recorded_keys(simulation, segment, AUDIT_DATE)
        for name in ("members_recorded.csv", "members_reproduced.csv"):
            with (result.folder / name).open() as handle:
                keys = [row["customer_key"] for row in csv.DictReader(handle)]
            assert keys == expected, (segment, name)
        assert f"{len(expected):,}" in result.text


def test_the_figures_are_the_marts(simulation: Simulation, audited: dict[str, Audited]) -> None:
    con = connect(simulation.warehouse)
    row = con.execute(
        "select members, treatment_members, holdout_members, treatment_exposed, "
        "holdout_exposed, treatment_conversion_rate, holdout_conversion_rate, absolute_lift, "
        "absolute_lift_ci_lower, absolute_lift_ci_upper, relative_lift, lift_p_value, "
        "is_readout_reliable from marts.segment_kpis_daily where segment_id = ? and kpi_date = ?",
        [EXPOSED_SEGMENT, AUDIT_DATE],
    ).fetchone()
    notices = dict(
        con.execute(
            "select consent_version, description from reference.consent_versions"
        ).fetchall()
    )
    con.close()
    assert row is not None and row[3] > 0, "the exposed segment has no exposure on the day"
    members, treatment, holdout, t_exposed, h_exposed = row[:5]
    text = audited[EXPOSED_SEGMENT].text
    assert re.search(rf"Members \(treatment / holdout\)\s+{treatment:,}\s*/\s*{holdout:,}", text)
    assert re.search(
        rf"Exposures read out, cumulative \(treatment / holdout\)\s+{t_exposed:,}\s*/\s*{h_exposed:,}",
        text,
    )
    assert members == audited[EXPOSED_SEGMENT].package["reproduction"]["recorded_members"]
    treatment_rate, holdout_rate, relative = (f"{100 * row[i]:.2f}%" for i in (5, 6, 10))
    lift, lower, upper = (f"{100 * value:.2f} pp" for value in row[7:10])
    line = next(line for line in text.splitlines() if "Absolute lift, treatment - holdout" in line)
    assert f"{lift} ({lower} to {upper})" in line
    assert treatment_rate in text and holdout_rate in text and relative in text
    assert f"{row[11]:.4f}" in text
    assert ("NOT reliable" in text) == (not row[12])
    excludes_zero = row[8] > 0 or row[9] < 0
    assert ("yes: the 95% interval excludes 0" in text) == excludes_zero
    assert ("no: the 95% interval includes 0" in text) == (not excludes_zero)
    # the charts (the dashboard's, as vector SVG): their titles are text in the PDF
    assert "Conversion of the targeted and the holdout group: Cart abandoners" in text
    assert "Daily read-out of Cart abandoners: lift, 95% interval shaded" in text
    # the notices the members were processed under, with their descriptions
    package_notices = audited[EXPOSED_SEGMENT].package["notices"]
    assert package_notices and sum(n["members"] for n in package_notices) == members
    for notice in package_notices:
        assert notice["description"] == notices[notice["consent_version"]]
        assert notice["consent_version"] in text
    # the unexposed segment: said in words, no chart
    assert "there is no lift to read" in audited[UNEXPOSED_SEGMENT].text.replace("\n", " ")
    # the data quality of the inputs: every raw table with its raw rows, as the mart has them
    quality = audited[EXPOSED_SEGMENT].package["data_quality"]
    assert quality["as_of_date"] == str(AUDIT_DATE)
    assert {t["source_table"] for t in quality["tables"]} >= {"orders", "events", "consent_events"}
    con = connect(simulation.warehouse)
    mart = con.execute(
        "select source_name, source_table, max(raw_rows), "
        "sum(logged_rows) filter (where disposition in ('quarantined', 'conflict')) "
        "from marts.data_quality_daily where as_of_date = ? group by 1, 2",
        [AUDIT_DATE],
    ).fetchall()
    con.close()
    assert len(mart) == len(quality["tables"])
    for source, table, raw_rows, rejected in mart:
        rejected = rejected or 0
        assert re.search(
            rf"{source}\s+{table}\s+{raw_rows:,}\s+{rejected:,}\s+{100 * rejected / raw_rows:.2f}%",
            text,
        ), (source, table)


def test_the_package_holds_no_personal_data(
    simulation: Simulation, audited: dict[str, Audited]
) -> None:
    con = connect(simulation.warehouse)
    personal = con.execute(
        "select email, customer_id from restricted.stg_shop__customer_identities "
        "where customer_key in (select customer_key from history.segment_history "
        "where segment_id in (?, ?))",
        [EXPOSED_SEGMENT, UNEXPOSED_SEGMENT],
    ).fetchall()
    con.close()
    assert personal
    for result in audited.values():
        written = result.text + "".join(
            path.read_text() for path in result.folder.iterdir() if path.suffix != ".pdf"
        )
        leaked = [value for row in personal for value in row if value and value in written]
        assert not leaked, leaked[:3]


@pytest.mark.parametrize(
    ("segment", "day", "message"),
    [
        ("no_such_segment", AUDIT_DATE, "unknown segment 'no_such_segment'"),
        (UNEXPOSED_SEGMENT, START - timedelta(days=1), "history does not cover"),
        (UNEXPOSED_SEGMENT, END + timedelta(days=1), "history does not cover"),
    ],
)
def test_a_request_history_cannot_answer_is_refused(
    simulation: Simulation,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    segment: str,
    day: date,
    message: str,
) -> None:
    code = audit.main(
        ["--segment", segment, "--date", str(day), "--warehouse", str(simulation.warehouse),
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert message in error
    if message.startswith("history"):  # the day asked and the days recorded
        assert str(day) in error and f"{START} to {END}" in error
    assert not any(tmp_path.iterdir())


def test_a_tampered_history_is_a_difference(simulation: Simulation, tmp_path: Path) -> None:
    """One recorded member deleted from segment_history: the audit exits 1 and names them."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(simulation.warehouse, warehouse)
    shutil.copy(identity_path(simulation.warehouse, {}), identity_path(warehouse, {}))
    victim = _recorded_keys(simulation, UNEXPOSED_SEGMENT, AUDIT_DATE)[0]
    import duckdb

    con = duckdb.connect(str(warehouse))
    con.execute(
        "delete from history.segment_history where segment_id = ? and customer_key = ?",
        [UNEXPOSED_SEGMENT, victim],
    )
    con.close()
    result = _audit(warehouse, tmp_path / "audit", UNEXPOSED_SEGMENT, AUDIT_DATE)
    assert result.code == 1
    proof = result.package["reproduction"]
    assert not proof["equal"] and proof["only_reproduced"] == [victim]
    assert proof["recorded_sha256"] != proof["reproduced_sha256"]
    assert "DIFFERS" in result.text


def test_a_date_not_written_yyyy_mm_dd_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        audit.main(["--segment", UNEXPOSED_SEGMENT, "--date", "2026-9-30"])
    assert exit_info.value.code == 2
    assert "--date must be a calendar date written YYYY-MM-DD" in capsys.readouterr().err
