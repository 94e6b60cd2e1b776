"""Segments: the registry's validation, membership with consent and holdouts, history keyed to
the business date, and the auditor's reproduction of every segment on every simulated day."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import sqlglot
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

REGISTRY_MODEL = ROOT / "models" / "intermediate" / "segments" / "_int_segments__models.yml"
REGISTRY = next(
    model["config"]["meta"]["segment_registry"]
    for model in yaml.safe_load(REGISTRY_MODEL.read_text())["models"]
    if model["name"] == "int_segment_versions_validated"
)
PURPOSES = [
    p["name"]
    for p in yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["consent_purposes"]
]
ROWS = "{{ segment_registry_rows(var('entries'), 'the test') }}"
# the fields whose change makes a different definition, hashed as the first registry did
# (segwarehouse.registry, Python): json.dumps(sort_keys, compact) of them, SHA-256
DEFINITION = (
    "segment_id", "version", "rule", "feature_columns", "required_purpose", "lawful_basis",
    "risk_level", "retention_days", "persistence", "holdout_pct", "valid_from", "valid_to",
)  # fmt: skip
# nodes a predicate may never contain, for sqlglot (the oracle of the macro's grammar)
FORBIDDEN = (
    sqlglot.exp.Select, sqlglot.exp.Subquery, sqlglot.exp.Table, sqlglot.exp.Insert,
    sqlglot.exp.Update, sqlglot.exp.Delete, sqlglot.exp.Drop, sqlglot.exp.Create,
    sqlglot.exp.Command, sqlglot.exp.Merge, sqlglot.exp.Alter, sqlglot.exp.Star,
)  # fmt: skip


def _sqlglot_columns(rule: str) -> set[str] | None:
    """The columns a rule reads by sqlglot's parse, None when it is not one plain predicate."""
    try:
        parsed = sqlglot.parse(rule, read="duckdb")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    if (
        len(parsed) != 1
        or parsed[0] is None
        or any(isinstance(node, FORBIDDEN) for node in parsed[0].walk())
    ):
        return None
    columns = list(parsed[0].find_all(sqlglot.exp.Column))
    if any(column.table for column in columns):
        return None
    return {column.name.lower() for column in columns}


def _expected_hash(entry: dict, valid_to: object) -> str:
    payload = {key: entry.get(key) for key in DEFINITION} | {"valid_to": valid_to}
    payload["feature_columns"] = [str(c).lower() for c in payload["feature_columns"]]
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


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
    "undeclared column": (
        lambda entries: entries[2].update(rule="rfm_class = 'loyal' and order_count > 2"),
        "segment 'loyal_repeat' v1: rule reads 'order_count', which feature_columns does not declare",
    ),
    "unknown purpose": (
        lambda entries: entries[2].update(required_purpose="profiling"),
        "segment 'loyal_repeat' v1: unknown consent purpose 'profiling' "
        f"(expected one of {', '.join(PURPOSES)})",
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
        "segment 'loyal_repeat' v1: a rule is a predicate over customer_features: SELECT",
    ),
    "a function that reads the machine": (
        lambda entries: entries[2].update(rule="rfm_class = getenv('PSEUDONYMIZATION_KEY')"),
        "segment 'loyal_repeat' v1: function 'getenv' is not allowed in a rule",
    ),
    "overlapping versions": (
        lambda entries: entries[1].update(valid_from=entries[0]["valid_from"]),
        "segment 'vip_high_value': versions 1 and 2 overlap",
    ),
    "a version ending after the next begins": (
        lambda entries: entries[0].update(valid_to="2026-09-21"),
        "segment 'vip_high_value': versions 1 and 2 overlap (v1 from 2024-01-01 to 2026-09-21",
    ),
    "high risk on legitimate interest": (
        lambda entries: entries[2].update(risk_level="high", lawful_basis="legitimate_interest"),
        "segment 'loyal_repeat' v1: high risk segments need lawful_basis consent",
    ),
    "reused segment id": (
        lambda entries: entries[1].update(name="Very important pets"),
        "segment 'vip_high_value': a segment_id is never reused for another segment",
    ),
    "a holdout of true": (
        lambda entries: entries[2].update(holdout_pct=True),
        "segment 'loyal_repeat' v1: holdout_pct must be a number in [0, 0.5]",
    ),
    "a holdout above half": (
        lambda entries: entries[2].update(holdout_pct=0.75),
        "segment 'loyal_repeat' v1: holdout_pct must be a number in [0, 0.5]",
    ),
    "retention as text": (
        lambda entries: entries[2].update(retention_days="60"),
        "segment 'loyal_repeat' v1: retention_days must be a whole number in [1, 730]",
    ),
    "session_only kept for a week": (
        lambda entries: entries[2].update(persistence="session_only", retention_days=7),
        "segment 'loyal_repeat' v1: session_only segments keep membership for the day",
    ),
    "a day that does not exist": (
        lambda entries: entries[2].update(valid_from="2025-02-29"),
        "segment 'loyal_repeat' v1: valid_from is not a date: \"2025-02-29\"",
    ),
    "a second version 1": (
        lambda entries: entries[1].update(version=1),
        "segment 'vip_high_value': versions must be 1..2 once each",
    ),
    "an unknown field": (
        lambda entries: entries[2].update(expires="never"),
        "segment 'loyal_repeat' v1: unknown field expires",
    ),
    "an upper case id": (
        lambda entries: entries[2].update(segment_id="Loyal"),
        "segment 'Loyal' v1: segment_id must be lower snake case",
    ),
}
# caught by the build's data test segment_features_exist, which knows the built columns
UNKNOWN_COLUMN = (
    lambda entries: entries[2].update(
        rule="lifetime_value_usd > 100", feature_columns=["lifetime_value_usd"]
    ),
    "segment 'loyal_repeat' v1: unknown column 'lifetime_value_usd' in feature_columns",
)


def _broken(kind: str) -> list[dict]:
    entries = [_entry("vip_high_value", 1), _entry("vip_high_value", 2), _entry("loyal_repeat")]
    (UNKNOWN_COLUMN if kind == "unknown column" else BROKEN[kind])[0](entries)
    return entries


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_registry_entry_is_rejected_with_its_segment(project: Project, kind: str) -> None:
    error = project.compile_error(ROWS, entries=_broken(kind))
    assert BROKEN[kind][1] in error, error


def test_every_problem_is_listed_at_once(project: Project) -> None:
    entries = _broken("missing lawful_basis")
    BROKEN["unknown purpose"][0](entries)
    BROKEN["overlapping versions"][0](entries)
    error = project.compile_error(ROWS, entries=entries)
    assert "segment registry (the test): 3 problem(s)" in error
    for kind in ("missing lawful_basis", "unknown purpose", "overlapping versions"):
        assert BROKEN[kind][1] in error


@pytest.mark.parametrize("entries", [[], "vip", {"segments": []}, [["a list"]]])
def test_a_registry_that_is_no_list_of_versions_is_refused(
    project: Project, entries: object
) -> None:
    error = project.compile_error(ROWS, entries=entries)
    assert "segment registry (the test)" in error
    assert "expected a non-empty list" in error or "expected a mapping of fields" in error


def test_the_registry_in_the_repo_gives_the_first_registrys_rows(project: Project) -> None:
    # the rows the macro writes, run on DuckDB: every field as written, valid_to from the next
    # version, and the definition hash the Python registry gave (so no history sees a change)
    sql = project.render(f"select * from ({ROWS})", entries=REGISTRY)
    cursor = duckdb.connect().execute(sql)
    names = [d[0] for d in cursor.description]
    rows = {
        (r["segment_id"], r["segment_version"]): r
        for r in (dict(zip(names, v, strict=True)) for v in cursor.fetchall())
    }
    assert len(rows) == len(REGISTRY) and len({r["segment_id"] for r in rows.values()}) >= 12
    for entry in REGISTRY:
        row = rows[(entry["segment_id"], entry["version"])]
        following = rows.get((entry["segment_id"], entry["version"] + 1))
        valid_to = entry.get("valid_to") or (following or {}).get("valid_from")
        assert row["valid_to"] == valid_to
        assert row["definition_hash"] == _expected_hash(entry, valid_to), entry["segment_id"]
        assert row["rule_sql"] == " ".join(entry["rule"].split())
        assert row["feature_columns"] == [c.lower() for c in entry["feature_columns"]]
        assert row["downstream_uses"] == entry["downstream_uses"]
        assert row["holdout_pct"] == entry["holdout_pct"]
        assert row["valid_from"] == entry["valid_from"]
        assert (row["segment_name"], row["owner"], row["lawful_basis"]) == (
            entry["name"], entry["owner"], entry["lawful_basis"],
        )  # fmt: skip
    assert len({r["definition_hash"] for r in rows.values()}) == len(rows)


RULES = [
    *(entry["rule"] for entry in REGISTRY),
    "coalesce(gift_share, 0) between 0.25 and .5",
    "not (order_count > 1e2) or recency_days is null",
    "favourite_style like 'art%' and last_seen_at >= date '2026-01-31'",
    "case when order_count > 2 then true else false end",
    "least(order_count, 3) * 2 <> abs(recency_days - 10)",
    "rfm_class = 'it''s; select 1 -- not a comment'",
    # refused
    "rfm_class = 'x'; drop table customer_features",
    "order_count in (select 1)",
    "features.order_count > 1",
    "exists (select 1 from customer_features)",
    "count(*) > 1",
    "order_count > 1 -- a comment",
    "order_count > 1 /* a comment */",
    '"order_count" > 1',
    "rfm_class = 'unterminated",
    "(order_count > 1",
    "order_count > 1)",
    "read_csv('/etc/passwd') is not null",
    "1 = 1",
    "order_count > 1 union select * from customer_features",
    "order_count > 1 and @x",
    "rfm_class || 'x' = 'champions'",
    "date > 1",
]
# what the grammar refuses that sqlglot reads as one predicate (the grammar is the stricter)
STRICTER = {
    "features.order_count > 1",
    "count(*) > 1",
    "order_count > 1 -- a comment",
    "order_count > 1 /* a comment */",
    '"order_count" > 1',
    "read_csv('/etc/passwd') is not null",
    "1 = 1",
    "rfm_class || 'x' = 'champions'",
    "order_count > 1 and @x",
    "date > 1",
}


def test_the_rule_grammar_reads_what_sqlglot_reads_or_refuses(project: Project) -> None:
    sql = project.render(
        "{% for rule in var('rules') %}{{ tojson(segment_rule_columns(rule, "
        "segment_registry_spec())) }}\n{% endfor %}",
        rules=RULES,
    )
    read = [json.loads(line) for line in sql.strip().splitlines()]
    assert len(read) == len(RULES)
    for rule, result in zip(RULES, read, strict=True):
        oracle = _sqlglot_columns(rule)
        if result["problem"] is None:
            assert oracle is not None and set(result["columns"]) == oracle, rule
        else:
            assert oracle is None or rule in STRICTER, (rule, result, oracle)
            assert rule not in (entry["rule"] for entry in REGISTRY)
    accepted = {rule for rule, result in zip(RULES, read, strict=True) if result["problem"] is None}
    assert len(accepted) == len({e["rule"] for e in REGISTRY}) + 6


@pytest.mark.parametrize(
    "kind",
    ["missing lawful_basis", "unknown column", "a statement as rule", "overlapping versions"],
)
def test_broken_registry_fails_the_build_naming_the_segment(
    clean_build: Build, tmp_path: Path, kind: str
) -> None:
    broken = _broken(kind)
    entries = [e for e in REGISTRY if e["segment_id"] not in ("vip_high_value", "loyal_repeat")]
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(clean_build.warehouse, copy)  # a built mart for the rules' columns
    result = dbt(
        [
            "build", "--select", "int_segment_versions_validated",
            "--vars", json.dumps({"segment_registry": broken + entries}, default=str),
        ],
        clean_build.raw_dir, copy, tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    expected = UNKNOWN_COLUMN[1] if kind == "unknown column" else BROKEN[kind][1]
    assert expected in result.output, result.output[-3000:]


@pytest.fixture(scope="module")
def sim(simulation: Simulation) -> Simulation:
    return simulation
