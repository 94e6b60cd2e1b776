"""customer_features: an independent recomputation from the raw files, the consent rules, and
incremental runs equal to a full rebuild."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import MODELS_ONLY, ROOT, Build, dbt
from warehouse import add_withdrawal, connect, scalar

from segwarehouse.dbt_plugin import DEVELOPMENT_KEY
from segwarehouse.generate.util import move_deliveries
from segwarehouse.tools.pandas_btyd import orders_as_of, summary


def pseudonym(customer_id: str) -> str:
    message = b"customer_id:" + customer_id.encode()
    return hmac.new(DEVELOPMENT_KEY.encode(), message, hashlib.sha256).hexdigest()


def oracle(raw: Path, as_of: date, style: str = "per_customer") -> pd.DataFrame:
    """Orders, net revenue, recency and the buy-till-you-die summary per customer, straight
    from the raw files with pandas (segwarehouse.tools.pandas_btyd, no SQL of the project), keyed
    like the mart."""
    result = summary(orders_as_of(raw, as_of), as_of, style).reset_index()
    result["customer_key"] = result["customer_id"].map(pseudonym)
    return result.set_index("customer_key")


def test_both_pandas_styles_agree(clean_raw: Path) -> None:
    as_of = date(2026, 9, 30)
    orders = orders_as_of(clean_raw, as_of)
    loop, vectorized = summary(orders, as_of, "per_customer"), summary(orders, as_of, "vectorized")
    assert len(loop) > 1000 and loop["btyd_frequency"].notna().sum() > 500
    pd.testing.assert_frame_equal(loop, vectorized, check_dtype=False, check_like=True)


def features(warehouse: Path) -> pd.DataFrame:
    con = connect(warehouse)
    return con.execute("select * from marts.customer_features").df().set_index("customer_key")


def test_clean_build_passes(clean_build: Build) -> None:
    assert clean_build.result.returncode == 0, clean_build.result.output[-4000:]


def test_orders_revenue_and_btyd_match_an_independent_computation(clean_build: Build) -> None:
    mart = features(clean_build.warehouse)
    as_of = mart["as_of_date"].iloc[0]
    expected = oracle(clean_build.raw_dir, as_of)
    allowed = mart[mart["is_analytics_allowed"]]
    joined = allowed.join(expected.add_suffix("_oracle"), how="inner")
    assert len(joined) > 500
    # Every analytics-consented buyer of the oracle has a row.
    buyers = set(expected.index) & set(mart.index)
    assert set(allowed.index) >= {k for k in buyers if mart.loc[k, "is_analytics_allowed"]}
    assert (joined["order_count"] == joined["order_count_oracle"]).all()
    assert (joined["purchase_count"] == joined["purchase_count_oracle"]).all()
    bought = joined[joined["purchase_count"] > 0]
    assert len(bought) > 500
    assert (bought["recency_days"] == bought["recency_days_oracle"]).all()
    revenue_gap = (joined["net_revenue_usd"].astype(float) - joined["net_revenue_usd_oracle"]).abs()
    assert (revenue_gap <= 0.01 * joined["order_count"] + 1e-9).all(), revenue_gap.max()
    with_btyd = joined[joined["btyd_frequency_oracle"].notna()]
    assert len(with_btyd) > 300
    for column in ["btyd_frequency", "btyd_recency", "btyd_t"]:
        assert (with_btyd[column] == with_btyd[f"{column}_oracle"]).all(), column
    monetary_gap = (with_btyd["btyd_monetary"] - with_btyd["btyd_monetary_oracle"]).abs()
    assert (monetary_gap <= 0.01).all(), monetary_gap.max()
    assert (with_btyd["btyd_frequency"] > 0).sum() > 50, "too few repeat buyers to test"
    # Buyers with no completed order have no BTYD summary.
    no_btyd = joined[joined["btyd_frequency_oracle"].isna()]
    assert no_btyd["btyd_frequency"].isna().all()


FEATURES_YML = ROOT / "models" / "marts" / "customers" / "_customers__models.yml"


def feature_purposes() -> dict[str, str]:
    """The consent purpose of every feature column, read from the YAML (not from the SQL)."""
    (model,) = yaml.safe_load(FEATURES_YML.read_text())["models"]
    purposes = {c["name"]: (c.get("meta") or {}).get("consent_purpose") for c in model["columns"]}
    assert all(purposes.values()), [name for name, p in purposes.items() if not p]
    return {name: purpose for name, purpose in purposes.items() if purpose != "none"}


def test_features_are_null_without_their_consent(clean_build: Build) -> None:
    con = connect(clean_build.warehouse)
    checks: dict[str, list[str]] = {}
    for column, purpose in feature_purposes().items():
        checks.setdefault(purpose, []).append(column)
    assert sum(len(columns) for columns in checks.values()) >= 40
    assert {"analytics", "personalization", "marketing_email"} <= set(checks)
    for purpose, columns in checks.items():
        denied = scalar(
            con, f"select count(*) from marts.customer_features where not is_{purpose}_allowed"
        )
        assert denied > 0, f"no customer without {purpose} consent in the demo data"
        withdrawn = scalar(
            con,
            f"select count(*) from marts.customer_features where {purpose}_status = 'withdrawn'",
        )
        assert withdrawn > 0, f"no customer who withdrew {purpose} consent in the demo data"
        for column in columns:
            leaked = scalar(
                con,
                f"select count(*) from marts.customer_features "
                f"where (not is_{purpose}_allowed or {purpose}_status = 'withdrawn') "
                f"and {column} is not null",
            )
            assert leaked == 0, (purpose, column)
    # EU/UK customers with no grant at all are opt-in: nothing is computed for them.
    eu_no_choice = scalar(
        con,
        "select count(*) from marts.customer_features where privacy_region in ('eu', 'uk') "
        "and analytics_status = 'no_choice' and is_analytics_allowed",
    )
    assert eu_no_choice == 0


def test_deleted_customers_have_no_row(clean_build: Build) -> None:
    """Customers with a verified deletion request in the raw file (the oracle: raw ids keyed
    here, not the project's staged requests, which are never stored) have no feature row."""
    con = connect(clean_build.warehouse)
    erased = {
        pseudonym(str(customer_id))
        for (customer_id,) in con.execute(
            f"select trim(customer_id) from read_parquet('{clean_build.raw_dir}/deletion_requests.parquet') "
            "where try_cast(verified_at as timestamp) is not null"
        ).fetchall()
    }
    features = {
        r[0] for r in con.execute("select customer_key from marts.customer_features").fetchall()
    }
    assert erased
    assert not erased & features


def test_rfm_classes_and_scores_are_consistent(clean_build: Build) -> None:
    con = connect(clean_build.warehouse)
    classes = {
        r[0]
        for r in con.execute(
            "select distinct rfm_class from marts.customer_features where rfm_class is not null"
        ).fetchall()
    }
    assert {"champions", "loyal", "new", "lost", "hibernating"} <= classes, classes
    bad = scalar(
        con,
        "select count(*) from marts.customer_features where recency_score not between 1 and 5 "
        "or frequency_score not between 1 and 5 or monetary_score not between 1 and 5",
    )
    assert bad == 0


def _copy_raw(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _customer_row(warehouse: Path, customer_key: str) -> dict:
    con = connect(warehouse)
    df = con.execute(
        "select * from marts.customer_features where customer_key = ?", [customer_key]
    ).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


def test_withdrawn_personalization_nulls_behaviour_after_and_not_before(
    clean_build: Build, tmp_path: Path
) -> None:
    con = connect(clean_build.warehouse)
    as_of = scalar(con, "select max(as_of_date) from marts.customer_features")
    # An opt-out (US) customer active in the last 30 days with no personalization choice.
    customer_id, customer_key = con.execute(
        """
        select i.customer_id, f.customer_key
        from marts.customer_features as f
        inner join restricted.stg_shop__customer_identities as i using (customer_key)
        where f.privacy_region in ('us_ca', 'us_other') and f.session_count_30d > 0
          and f.personalization_status = 'no_choice'
        order by f.customer_key
        limit 1
        """
    ).fetchall()[0]
    withdrawn_on = as_of - timedelta(days=10)
    raw_with = _copy_raw(clean_build.raw_dir, tmp_path / "raw_with")
    add_withdrawal(raw_with, customer_id, f"{withdrawn_on} 12:00:00")

    def build(raw: Path, day: date, name: str) -> Path:
        """customer_features and what it is made from (nothing else is read here)."""
        work = tmp_path / name
        args = ["build", *MODELS_ONLY, "--select", "+customer_features"]
        result = dbt(args, raw, work / "warehouse.duckdb", work, as_of=day)
        assert result.returncode == 0, result.output[-3000:]
        return work / "warehouse.duckdb"

    behavioural = [
        "session_count_30d",
        "product_view_count_30d",
        "cart_abandonment_rate_30d",
        "last_seen_at",
        "stated_purchase_occasion",
        "has_bridal_browsing_intent",
    ]
    for day in (withdrawn_on, withdrawn_on + timedelta(days=3), as_of):
        row = _customer_row(build(raw_with, day, f"with_{day}"), customer_key)
        assert not row["is_personalization_allowed"]
        for column in behavioural:
            assert pd.isna(row[column]), (day, column, row[column])
    before = withdrawn_on - timedelta(days=1)
    with_event = connect(build(raw_with, before, "with_before"))
    without_event = build(clean_build.raw_dir, before, "without_before")
    with_event.execute(f"attach '{without_event}' as other (read_only)")
    row = with_event.execute(
        "select session_count_30d, is_personalization_allowed from marts.customer_features "
        "where customer_key = ?",
        [customer_key],
    ).fetchall()[0]
    assert row[0] is not None and row[1]
    for direction in (
        "select * from marts.customer_features except all select * from other.marts.customer_features",
        "select * from other.marts.customer_features except all select * from marts.customer_features",
    ):
        assert scalar(with_event, f"select count(*) from ({direction})") == 0


# Every incremental model that holds the present state (not history accumulated day by day)
# must equal its full rebuild; test_conventions checks that none is missing from this list.
INCREMENTAL_RELATIONS = [
    "staging.base_tracking__events",
    "intermediate.int_events_attributed",
    "intermediate.int_customer_event_days_aggregated",
    "intermediate.int_orders_valued",
    "intermediate.int_segment_exposures_attributed",
    "marts.customer_features",
]
INCREMENTAL_SELECTION = [f"+{relation.split('.')[1]}" for relation in INCREMENTAL_RELATIONS]


@pytest.mark.parametrize("relation", INCREMENTAL_RELATIONS)
def test_daily_incremental_runs_equal_a_full_rebuild(
    clean_build: Build, tmp_path_factory: pytest.TempPathFactory, relation: str
) -> None:
    databases = _incremental_and_full(clean_build, tmp_path_factory)
    con = duckdb.connect()
    con.execute(f"attach '{databases['full']}' as full_build (read_only)")
    con.execute(f"attach '{databases['daily']}' as daily_build (read_only)")
    rows = scalar(con, f"select count(*) from full_build.{relation}")
    assert rows > 0
    assert scalar(con, f"select count(*) from daily_build.{relation}") == rows
    for a, b in (("full_build", "daily_build"), ("daily_build", "full_build")):
        diff = scalar(
            con,
            f"select count(*) from (select * from {a}.{relation} except all select * from {b}.{relation})",
        )
        assert diff == 0, (relation, a, b, diff)


_CACHE: dict[str, Path] = {}


def _incremental_and_full(build: Build, factory: pytest.TempPathFactory) -> dict[str, Path]:
    if _CACHE:
        return _CACHE
    con = connect(build.warehouse)
    as_of = scalar(con, "select max(as_of_date) from marts.customer_features")
    work = factory.mktemp("incremental")
    # each daily run sees the event deliveries landed by its day, as in production
    raw = work / "raw"
    shutil.copytree(build.raw_dir, raw)
    held = work / "held"
    move_deliveries(raw / "events", held, after=as_of - timedelta(days=6))
    # each warehouse in a folder of its own, as warehouse.duckdb (the saved parse's profile)
    daily = work / "daily" / "warehouse.duckdb"
    # the relations compared and what they are made from, in both warehouses
    args = ["build", *MODELS_ONLY, "--select", *INCREMENTAL_SELECTION]
    for offset in (6, 4, 3, 2, 1, 0):  # a skipped day (5) too
        day = as_of - timedelta(days=offset)
        move_deliveries(held, raw / "events", through=day)
        result = dbt(args, raw, daily, daily.parent, as_of=day)
        assert result.returncode == 0, result.output[-3000:]
    assert not any(held.iterdir())
    full = work / "full" / "warehouse.duckdb"
    result = dbt(args, raw, full, full.parent, as_of=as_of)
    assert result.returncode == 0, result.output[-3000:]
    _CACHE.update(full=full, daily=daily)
    return _CACHE


def _project_copy(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "data", "target", "logs", "serving", "bench", "*.duckdb*"
    )
    return Path(shutil.copytree(ROOT, tmp_path / "project", ignore=ignore))


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("", "column btyd_t of customer_features must declare meta consent_purpose"),
        ("meta: {consent_purpose: profiling}", "got 'profiling'"),
        ("meta: {consent_purpose: none}", "column btyd_t of customer_features is gated"),
    ],
)
def test_a_feature_without_a_known_purpose_fails_the_build_naming_it(
    tmp_path: Path, meta: str, message: str
) -> None:
    project = _project_copy(tmp_path)
    models = project / FEATURES_YML.relative_to(ROOT)
    text = models.read_text()
    declared = "      - name: btyd_t\n"
    start = text.index(declared)
    purpose = text.index("        meta: {consent_purpose: analytics}\n", start)
    end = purpose + len("        meta: {consent_purpose: analytics}\n")
    models.write_text(text[:purpose] + (f"        {meta}\n" if meta else "") + text[end:])
    result = dbt(
        ["compile", "--project-dir", str(project), "--target", "test", "-s", "customer_features"],
        ROOT / "data" / "raw",
        tmp_path / "w.duckdb",
        tmp_path,
    )
    assert result.returncode != 0
    assert message in result.output, result.output[-3000:]
