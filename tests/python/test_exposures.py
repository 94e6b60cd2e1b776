"""Exposures and legal grounds (issue 13, defects 3 and 10): every malformed exposure is a
flagged violation, never read out and never stopping the build; every member and exposure
carries its legal ground and the notice or consent version it is processed under, and a
consent-based segment admits only customers who granted its purpose."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import Build, dbt
from warehouse import add_consent_event, add_events, connect

EXPOSED_ON = "2026-08-01"  # the attribution window (30 days) has ended by the data's last day
NOTICE_IN_FORCE = "us-2026-01"  # the US notice in force on the business date (2026-09-30)


@dataclass
class Planted:
    build: Build
    eu_customer: str  # granted personalization under eu-2026-01 before the exposures
    us_no_choice: str  # US opt-out regime, never made any consent choice
    us_granted: str  # US, granted personalization under us-2025-01
    expected: dict[str, str | None]  # planted exposure id -> compliance_issue


def _pick(raw: Path, countries: str, n: int, choices_after: str = "1900-01-01") -> list[str]:
    """Customers of these countries with no consent choice recorded after `choices_after` (by
    default none at all), no deletion request and a signup well before the planted rows, in a
    stable order."""
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select customer_id
        from read_parquet('{raw}/customers.parquet')
        where
            country_code in ({countries})
            and cast(signup_at as timestamp) < timestamp '2026-01-01'
            and customer_id not in (
                select customer_id from read_parquet('{raw}/consent_events.parquet')
                where cast(recorded_at as timestamp) > timestamp '{choices_after}'
            )
            and customer_id not in (
                select customer_id from read_parquet('{raw}/deletion_requests.parquet')
            )
        order by customer_id
        limit {n}
        """
    ).fetchall()
    con.close()
    assert len(rows) == n, countries
    return [r[0] for r in rows]


def _exposure(
    event_id: str,
    customer_id: str | None,
    campaign: str,
    segment_id: str | None = "cart_abandoners",
    variant: str | None = "treatment",
    consent_version: str | None = "eu-2026-01",
) -> dict[str, str | None]:
    properties = {
        "segment_id": segment_id,
        "variant": variant,
        "campaign_id": campaign,
        "consent_version": consent_version,
    }
    return {
        "event_id": event_id,
        "anonymous_id": f"a-{event_id.lower()}",
        "customer_id": customer_id,
        "session_id": f"s-{event_id.lower()}",
        "event_type": "segment_exposed",
        "platform": "web",
        "properties": json.dumps({k: v for k, v in properties.items() if v is not None}),
        "event_at": f"{EXPOSED_ON} 10:00:00",
        "received_at": f"{EXPOSED_ON} 10:00:05",
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, clean_raw: Path) -> Planted:
    """The clean raw data plus planted exposures (one well-formed, the others each malformed
    in one way) and two consent grants, built with `dbt build` (all data tests)."""
    work = tmp_path_factory.mktemp("exposures")
    raw = work / "raw"
    shutil.copytree(clean_raw, raw)
    (eu,) = _pick(raw, "'DE', 'FR', 'IT', 'NL'", 1, choices_after="2026-06-01")
    us_no_choice, us_granted = _pick(raw, "'US'", 2)
    add_consent_event(
        raw, eu, "2026-07-01 09:00:00", "granted", "personalization", "eu-2026-01", "EU"
    )
    add_consent_event(
        raw, us_granted, "2026-02-01 09:00:00", "granted", "personalization", "us-2025-01", "US-CA"
    )
    exposures = {
        "X-TEST-OK": (_exposure("X-TEST-OK", eu, "CMP-T1"), None),
        "X-TEST-NO-VERSION": (
            _exposure("X-TEST-NO-VERSION", eu, "CMP-T2", consent_version=None),
            "missing_consent_version",
        ),
        "X-TEST-CONTROL": (
            _exposure("X-TEST-CONTROL", eu, "CMP-T3", variant="control"),
            "unknown_variant",
        ),
        "X-TEST-NO-VARIANT": (
            _exposure("X-TEST-NO-VARIANT", eu, "CMP-T4", variant=None),
            "missing_variant",
        ),
        "X-TEST-NO-SEGMENT": (
            _exposure("X-TEST-NO-SEGMENT", eu, "CMP-T5", segment_id=None),
            "missing_segment_id",
        ),
        "X-TEST-ANONYMOUS": (_exposure("X-TEST-ANONYMOUS", None, "CMP-T6"), "anonymous_exposure"),
        "X-TEST-OPT-OUT": (
            _exposure("X-TEST-OPT-OUT", us_no_choice, "CMP-T7", consent_version=NOTICE_IN_FORCE),
            "consent_basis_without_grant",
        ),
    }
    add_events(raw, EXPOSED_ON, [row for row, _ in exposures.values()])
    warehouse = work / "warehouse.duckdb"
    # every data test on the planted exposures; not the unit tests, whose given rows are the
    # same whatever the raw files (the clean build runs them)
    result = dbt(["build", "--exclude-resource-type", "unit_test"], raw, warehouse, work)
    return Planted(
        Build(raw, warehouse, work, result),
        eu,
        us_no_choice,
        us_granted,
        {event_id: issue for event_id, (_, issue) in exposures.items()},
    )


def _key(con: duckdb.DuckDBPyConnection, customer_id: str) -> str:
    return con.execute(
        "select customer_key from restricted.stg_shop__customer_identities where customer_id = ?",
        [customer_id],
    ).fetchall()[0][0]


# ---------------------------------------------------------------- defect 3: exposures


def test_malformed_exposures_never_stop_the_build(planted: Planted) -> None:
    """An unknown variant (`control`) used to fail a staging test and skip every mart."""
    assert planted.build.result.returncode == 0, planted.build.result.output[-3000:]
    con = connect(planted.build.warehouse)
    staged = {
        row[0]
        for row in con.execute(
            "select event_id from staging.stg_tracking__events where event_id like 'X-TEST-%'"
        ).fetchall()
    }
    con.close()
    assert staged == set(planted.expected)  # each is still a valid, staged event


def test_every_malformed_exposure_is_a_violation_with_its_reason(planted: Planted) -> None:
    con = connect(planted.build.warehouse)
    flagged = dict(
        con.execute(
            "select exposure_id, compliance_issue from compliance.compliance_exposure_violations "
            "where exposure_id like 'X-TEST-%'"
        ).fetchall()
    )
    attributed = dict(
        con.execute(
            "select exposure_id, compliance_issue from intermediate.int_segment_exposures_attributed "
            "where exposure_id like 'X-TEST-%'"
        ).fetchall()
    )
    con.close()
    assert attributed == planted.expected  # none dropped, each with its reason
    assert flagged == {k: v for k, v in planted.expected.items() if v is not None}


def test_the_readout_counts_only_compliant_exposures(planted: Planted) -> None:
    con = connect(planted.build.warehouse)
    as_of = con.execute("select max(kpi_date) from marts.segment_kpis_daily").fetchall()[0][0]
    readout = con.execute(
        """
        select treatment_exposed, holdout_exposed, exposure_violations
        from marts.segment_kpis_daily
        where segment_id = 'cart_abandoners' and kpi_date = ?
        """,
        [as_of],
    ).fetchall()[0]
    expected = con.execute(
        """
        select
            count(*) filter (where compliance_issue is null and experiment_variant = 'treatment'),
            count(*) filter (where compliance_issue is null and experiment_variant = 'holdout'),
            count(*) filter (where compliance_issue is not null)
        from intermediate.int_segment_exposures_attributed
        where segment_id = 'cart_abandoners' and window_ends_at < ? + interval 1 day
        """,
        [as_of],
    ).fetchall()[0]
    read_out = {
        row[0]
        for row in con.execute(
            "select exposure_id from intermediate.int_segment_exposures_attributed "
            "where exposure_id like 'X-TEST-%' and compliance_issue is null"
        ).fetchall()
    }
    con.close()
    assert readout == expected
    assert read_out == {"X-TEST-OK"}
    assert readout[2] >= 4  # the planted violations of the segment are counted, not read out


# ---------------------------------------------------------------- defect 10: legal grounds


def test_every_member_carries_its_legal_ground_and_version(planted: Planted) -> None:
    con = connect(planted.build.warehouse)
    rows = con.execute(
        """
        select m.lawful_basis, m.legal_ground, count(*),
            count(*) filter (where m.consent_version is null),
            count(*) filter (
                where m.legal_ground = 'opt_out_notice' and m.consent_version != ?
            ),
            count(*) filter (where m.consent_model = 'opt_in' and m.legal_ground != 'consent')
        from (
            select m.*, f.consent_model
            from marts.segment_membership as m
            inner join marts.customer_features as f using (customer_key)
        ) as m
        group by all
        order by all
        """,
        [NOTICE_IN_FORCE],
    ).fetchall()
    con.close()
    grounds = {(basis, ground) for basis, ground, *_ in rows}
    # a consent-based segment only has members who granted its purpose; opt-out members of a
    # legitimate-interest segment are processed under the notice in force in their region
    assert grounds == {
        ("consent", "consent"),
        ("legitimate_interest", "consent"),
        ("legitimate_interest", "opt_out_notice"),
    }, rows
    assert all(row[3] == 0 and row[4] == 0 and row[5] == 0 for row in rows), rows


def test_an_opt_out_member_is_never_recorded_as_consenting(planted: Planted) -> None:
    con = connect(planted.build.warehouse)
    no_choice, granted = _key(con, planted.us_no_choice), _key(con, planted.us_granted)
    features = {
        row[0]: row[1:]
        for row in con.execute(
            """
            select customer_key, personalization_legal_ground,
                personalization_legal_ground_version, analytics_legal_ground,
                analytics_legal_ground_version
            from marts.customer_features where customer_key in (?, ?)
            """,
            [no_choice, granted],
        ).fetchall()
    }
    # members recorded as consenting whose consent state for the purpose is not a grant
    false_consent = con.execute(
        """
        select count(*)
        from marts.segment_membership as m
        inner join marts.customer_features as f using (customer_key)
        where m.legal_ground = 'consent' and case m.required_purpose
            when 'analytics' then f.analytics_status
            when 'personalization' then f.personalization_status
            when 'marketing_email' then f.marketing_email_status
            when 'sale_sharing' then f.sale_sharing_status
        end != 'granted'
        """
    ).fetchall()[0][0]
    in_consent_segments = con.execute(
        """
        select count(*) from marts.segment_membership
        where customer_key = ? and lawful_basis = 'consent'
        """,
        [no_choice],
    ).fetchall()[0][0]
    exported = con.execute(
        """
        select count(*) from marts.segment_activation_export as e
        inner join marts.segment_membership as m using (customer_key, segment_id)
        where e.legal_ground is distinct from m.legal_ground
            or e.consent_version is distinct from m.consent_version
        """
    ).fetchall()[0][0]
    con.close()
    assert features[no_choice] == (
        "opt_out_notice",
        NOTICE_IN_FORCE,
        "opt_out_notice",
        NOTICE_IN_FORCE,
    )
    assert features[granted] == ("consent", "us-2025-01", "opt_out_notice", NOTICE_IN_FORCE)
    assert false_consent == 0
    assert in_consent_segments == 0
    assert exported == 0


def test_an_exposure_carries_the_version_it_was_processed_under(planted: Planted) -> None:
    con = connect(planted.build.warehouse)
    rows = dict(
        (row[0], row[1:])
        for row in con.execute(
            """
            select exposure_id, legal_ground, legal_ground_version
            from intermediate.int_segment_exposures_attributed
            where exposure_id in ('X-TEST-OK', 'X-TEST-OPT-OUT')
            """
        ).fetchall()
    )
    con.close()
    assert rows == {
        "X-TEST-OK": ("consent", "eu-2026-01"),
        "X-TEST-OPT-OUT": ("opt_out_notice", NOTICE_IN_FORCE),
    }
