"""Segments: the registry's validation, membership with consent and holdouts, history keyed to
the business date, and the auditor's reproduction of every segment on every simulated day."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from conftest import (
    END,
    NO_TESTS,
    ROOT,
    SIM_DAYS,
    START,
    WITHDRAWN_ON,
    Build,
    Project,
    Simulation,
    dbt,
)
from scipy.stats import binomtest
from sql_helpers import query
from warehouse import connect, scalar

from segwarehouse import registry

# ---------------------------------------------------------------- reproduction from snapshots


def test_reproduced_members_equal_history_for_every_segment_and_day(
    project: Project, sim: Simulation
) -> None:
    differences = query(
        project,
        sim,
        f"""
        with
        reproduced as ({{{{ reproduce_segment_members('{START}', '{END}') }}}}),
        recorded as ({{{{ recorded_segment_members('{START}', '{END}') }}}}),
        only_reproduced as (select * from reproduced except all select * from recorded),
        only_recorded as (select * from recorded except all select * from reproduced)
        select 'reproduced only', * from only_reproduced
        union all
        select 'recorded only', * from only_recorded
        limit 20
        """,
    )
    assert differences == []
    days = query(
        project,
        sim,
        f"""
        select segment_id, count(distinct audit_date), min(n), max(n)
        from (
            select audit_date, segment_id, count(*) as n
            from ({{{{ recorded_segment_members('{START}', '{END}') }}}})
            group by all
        ) group by segment_id order by segment_id
        """,
    )
    # every segment of the registry had members on every one of the 30 days
    con = connect(sim.warehouse)
    segments = [
        r[0] for r in con.execute("select segment_id from marts.segments order by 1").fetchall()
    ]
    con.close()
    assert [row[0] for row in days] == segments
    assert all(row[1] == SIM_DAYS and row[2] > 0 for row in days), days


def test_history_is_keyed_to_business_dates(sim: Simulation) -> None:
    con = connect(sim.warehouse)
    valid_from = {
        row[0]
        for row in con.execute(
            "select distinct cast(dbt_valid_from as date) from history.segment_history"
        ).fetchall()
    }
    assert min(valid_from) == START and max(valid_from) == END
    assert all(
        value.hour == 0
        for (value,) in con.execute(
            "select distinct dbt_valid_from from history.customer_features_history"
        ).fetchall()
    )


def test_rerunning_the_last_day_adds_no_history(sim: Simulation) -> None:
    con = connect(sim.warehouse)
    tables = ("segment_history", "customer_features_history", "segment_registry_history")
    before = {t: scalar(con, f"select count(*) from history.{t}") for t in tables}
    con.close()
    result = dbt(["build", *NO_TESTS], sim.raw_dir, sim.warehouse, sim.work, as_of=END)
    assert result.returncode == 0, result.output[-3000:]
    con = connect(sim.warehouse)
    after = {t: scalar(con, f"select count(*) from history.{t}") for t in tables}
    assert after == before


def test_a_day_before_recorded_history_is_refused(sim: Simulation, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(sim.warehouse, copy)
    earlier = END - timedelta(days=3)
    result = dbt(["build", *NO_TESTS], sim.raw_dir, copy, tmp_path, as_of=earlier)
    assert result.returncode != 0
    assert f"already holds history up to {END}, after the business date {earlier}" in result.output


# ---------------------------------------------------------------- consent and holdouts


def test_withdrawal_ends_membership_from_that_day(project: Project, sim: Simulation) -> None:
    recorded = query(
        project,
        sim,
        f"""
        select audit_date, segment_id
        from ({{{{ recorded_segment_members('{START}', '{END}') }}}})
        where customer_key = '{sim.customer_key}'
        order by 1, 2
        """,
    )
    days_in_segment = {day for day, segment in recorded if segment == sim.segment_id}
    assert days_in_segment == {
        START + timedelta(days=offset) for offset in range((WITHDRAWN_ON - START).days)
    }
    # no personalization segment at all from the day of the withdrawal on
    con = connect(sim.warehouse)
    personalization = {
        r[0]
        for r in con.execute(
            "select segment_id from marts.segments where required_purpose = 'personalization'"
        ).fetchall()
    }
    assert not [(d, s) for d, s in recorded if d >= WITHDRAWN_ON and s in personalization]
    exported = scalar(
        con,
        "select count(*) from marts.segment_activation_export where customer_key = ? "
        "and segment_id in (select segment_id from marts.segments "
        "where required_purpose = 'personalization')".replace("?", f"'{sim.customer_key}'"),
    )
    assert exported == 0
    con.close()
    # the auditor's re-run agrees: a member the day before, not on the day
    reproduced = query(
        project,
        sim,
        f"""
        select audit_date from ({{{{ reproduce_segment_members('{WITHDRAWN_ON - timedelta(days=1)}',
            '{WITHDRAWN_ON}', '{sim.segment_id}') }}}})
        where customer_key = '{sim.customer_key}'
        """,
    )
    assert reproduced == [(WITHDRAWN_ON - timedelta(days=1),)]


def test_members_have_the_required_consent_on_the_day(sim: Simulation) -> None:
    con = connect(sim.warehouse)
    violations = scalar(
        con,
        """
        select count(*)
        from marts.segment_membership as m
        inner join marts.customer_features as f using (customer_key)
        where not case m.required_purpose
            when 'analytics' then f.is_analytics_allowed
            when 'personalization' then f.is_personalization_allowed
            when 'marketing_email' then f.is_marketing_email_allowed
            when 'sale_sharing' then f.is_sale_sharing_allowed
        end
        """,
    )
    assert violations == 0
    holdouts_exported = scalar(
        con,
        "select count(*) from marts.segment_activation_export as e "
        "inner join marts.segment_membership as m using (customer_key, segment_id) "
        "where m.experiment_arm = 'holdout'",
    )
    assert holdouts_exported == 0


def test_holdout_share_matches_holdout_pct(sim: Simulation) -> None:
    """On the last day, and over all 30 days of history, each segment's holdout share is
    consistent with its holdout_pct (two-sided exact binomial test at the 0.1% level)."""
    con = connect(sim.warehouse)
    rows = con.execute(
        """
        select s.segment_id, s.holdout_pct, count(*) as members,
            count(*) filter (where m.experiment_arm = 'holdout') as holdouts
        from marts.segment_membership as m
        inner join marts.segments as s using (segment_id)
        group by all order by 1
        """
    ).fetchall()
    assert len(rows) >= 12
    for segment_id, pct, members, holdouts in rows:
        if pct == 0:
            assert holdouts == 0, segment_id
            continue
        p_value = binomtest(holdouts, members, pct).pvalue
        assert p_value > 0.001, (segment_id, pct, members, holdouts)


def test_arms_are_stable_across_days(sim: Simulation) -> None:
    """A member whose consent_version did not change keeps their arm every day."""
    con = connect(sim.warehouse)
    flips = scalar(
        con,
        """
        select count(*) from (
            select customer_key, segment_id, consent_version
            from history.segment_history
            group by all
            having count(distinct experiment_arm) > 1
        )
        """,
    )
    assert flips == 0


# ---------------------------------------------------------------- the registry


REGISTRY = yaml.safe_load((ROOT / "segments" / "registry.yml").read_text())["segments"]


def _entry(segment_id: str, version: int = 1) -> dict:
    return next(
        dict(e) for e in REGISTRY if e["segment_id"] == segment_id and e["version"] == version
    )


BROKEN = {
    "missing lawful_basis": (
        lambda entries: entries[0].pop("lawful_basis"),
        "segment 'vip_high_value' v1: missing lawful_basis",
    ),
    "missing risk_level": (
        lambda entries: entries[0].pop("risk_level"),
        "segment 'vip_high_value' v1: missing risk_level",
    ),
    "unknown column": (
        lambda entries: entries[2].update(
            rule="lifetime_value_usd > 100", feature_columns=["lifetime_value_usd"]
        ),
        "segment 'loyal_repeat' v1: unknown column 'lifetime_value_usd' in feature_columns",
    ),
    "undeclared column": (
        lambda entries: entries[2].update(rule="rfm_class = 'loyal' and order_count > 2"),
        "segment 'loyal_repeat' v1: rule reads 'order_count', which feature_columns does not declare",
    ),
    "unknown purpose": (
        lambda entries: entries[2].update(required_purpose="profiling"),
        "segment 'loyal_repeat' v1: unknown consent purpose 'profiling'",
    ),
    "delete in a rule": (
        lambda entries: entries[2].update(rule="rfm_class = 'x'; delete from customer_features"),
        "segment 'loyal_repeat' v1: a rule is one predicate",
    ),
    "a statement as rule": (
        lambda entries: entries[2].update(rule="delete from marts.customer_features"),
        "segment 'loyal_repeat' v1: a rule is a predicate over customer_features: DELETE",
    ),
    "another table": (
        lambda entries: entries[2].update(
            rule="rfm_class in (select rfm_class from restricted.stg_shop__customer_identities)"
        ),
        "segment 'loyal_repeat' v1: a rule is a predicate over customer_features",
    ),
    "overlapping versions": (
        lambda entries: entries[1].update(valid_from=entries[0]["valid_from"]),
        "segment 'vip_high_value': versions 1 and 2 overlap",
    ),
    "high risk on legitimate interest": (
        lambda entries: entries[2].update(risk_level="high", lawful_basis="legitimate_interest"),
        "segment 'loyal_repeat' v1: high risk segments need lawful_basis consent",
    ),
    "reused segment id": (
        lambda entries: entries[1].update(name="Very important pets"),
        "segment 'vip_high_value': a segment_id is never reused for another segment",
    ),
}


def _broken(kind: str) -> list[dict]:
    entries = [_entry("vip_high_value", 1), _entry("vip_high_value", 2), _entry("loyal_repeat")]
    BROKEN[kind][0](entries)
    return entries


FEATURE_COLUMNS = [
    "net_revenue_usd",
    "order_count",
    "rfm_class",
    "recency_days",
    "is_personalization_allowed",
]


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_registry_entry_is_rejected_with_its_segment(kind: str) -> None:
    with pytest.raises(registry.RegistryError) as error:
        registry.validate(_broken(kind), FEATURE_COLUMNS)
    assert BROKEN[kind][1] in str(error.value)


def test_the_registry_in_the_repo_is_valid() -> None:
    rows = registry.validate(
        REGISTRY, FEATURE_COLUMNS + [c for e in REGISTRY for c in e["feature_columns"]]
    )
    assert len({row["segment_id"] for row in rows}) >= 12
    assert len({row["definition_hash"] for row in rows}) == len(rows)


def test_without_feature_columns_the_columns_are_left_to_the_build() -> None:
    # the dbt model validates without the mart (test segment_features_exist checks the columns),
    # but a rule reading a column feature_columns does not declare is still refused
    unknown = _broken("unknown column")
    assert len(registry.validate(unknown)) == 3
    with pytest.raises(registry.RegistryError) as error:
        registry.validate(_broken("undeclared column"))
    assert BROKEN["undeclared column"][1] in str(error.value)


def test_the_consent_purposes_are_the_projects() -> None:
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    names = tuple(entry["name"] for entry in project["vars"]["consent_purposes"])
    assert registry.consent_purposes(ROOT) == names
    assert "personalization" in names
    entries = _broken("unknown purpose")
    entries[2]["required_purpose"] = "analytics"
    with pytest.raises(registry.RegistryError, match="unknown consent purpose 'analytics'"):
        registry.validate(entries, FEATURE_COLUMNS, purposes=("personalization",))


def test_a_registry_change_without_its_recorded_hash_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "registry.yml"
    path.write_text((ROOT / "segments" / "registry.yml").read_text() + "# reviewed change\n")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    registry.check_recorded_hash(path, actual)
    with pytest.raises(registry.RegistryError) as error:
        registry.check_recorded_hash(path, "0" * 64)
    assert f"set registry_sha256: {actual}" in str(error.value)


@pytest.mark.parametrize(
    "kind",
    ["missing lawful_basis", "unknown column", "a statement as rule", "overlapping versions"],
)
def test_broken_registry_fails_the_build_naming_the_segment(
    clean_build: Build, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "registry.yml"
    entries = [dict(e) for e in REGISTRY]
    broken = _broken(kind)
    entries = [e for e in entries if e["segment_id"] not in ("vip_high_value", "loyal_repeat")]
    path.write_text(yaml.safe_dump({"segments": broken + entries}, sort_keys=False))
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(clean_build.warehouse, copy)  # a built mart for the rules' columns
    result = dbt(
        [
            "build", "--select", "int_segment_versions_validated",
            "--vars", json.dumps({"segment_registry_path": str(path)}),
        ],
        clean_build.raw_dir, copy, tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert BROKEN[kind][1] in result.output, result.output[-3000:]


@pytest.fixture(scope="module")
def sim(simulation: Simulation) -> Simulation:
    return simulation
