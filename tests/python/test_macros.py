"""The project's macros, rendered by dbt (one in-process dbtRunner, `compile --inline` on the
in-memory `test` target) and executed on DuckDB, each compared with an independent Python
implementation. Statistics macros are checked in test_kpis.py, pseudonymize in test_privacy.py,
the segment and history macros in test_segments.py."""

from __future__ import annotations

import hashlib
import re
import string
from datetime import datetime

import duckdb
import pytest
from conftest import Render
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from segwarehouse.dbt_plugin import register_functions


def run(sql: str, setup: str = "") -> list[tuple]:
    con = duckdb.connect()
    register_functions(con)
    if setup:
        con.execute(setup)
    return con.execute(sql).fetchall()


# ---------------------------------------------------------------- holdout arm assignment


def python_uniform(key: str, segment: str, version: str | None, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}|{key}|{segment}|{version or ''}".encode()).hexdigest()
    return int(digest[:13], 16) / 2**52


@pytest.fixture(scope="module")
def arms_sql(render: Render) -> str:
    return render(
        "select k, "
        "{{ arm_uniform('k', \"'vip_high_value'\", 'v') }} as u, "
        "{{ experiment_arm('k', \"'vip_high_value'\", 'v', '0.1') }} as arm, "
        "{{ experiment_arm('k', \"'vip_high_value'\", 'v', '0.1', salt='other-salt') }} as salted, "
        "{{ experiment_arm('k', \"'loyal_repeat'\", 'v', '0.1') }} as other_segment, "
        "{{ experiment_arm('k', \"'vip_high_value'\", \"'us-2027-01'\", '0.1') }} as new_version "
        "from keys order by k"
    )


def _keys(n: int) -> str:
    return (
        f"create table keys as select sha256('customer-' || i::varchar) as k, "
        f"case when i % 3 = 0 then null else 'eu-2026-01' end as v from range({n}) t(i)"
    )


def test_arm_hash_matches_python_and_is_stable(arms_sql: str) -> None:
    rows = run(arms_sql, _keys(2000))
    con = duckdb.connect()
    con.execute(_keys(2000))
    versions = dict(con.execute("select k, v from keys").fetchall())
    for key, uniform, arm, *_ in rows:
        expected = python_uniform(key, "vip_high_value", versions[key], "segwarehouse-holdout-v1")
        assert 0 <= uniform < 1
        assert uniform == pytest.approx(expected, abs=1e-15)
        assert arm == ("holdout" if expected < 0.1 else "treatment")
    assert run(arms_sql, _keys(2000)) == rows  # same keys, same arms, run after run


def test_holdout_split_matches_its_share_on_100k_keys(arms_sql: str) -> None:
    rows = run(arms_sql, _keys(100_000))
    holdouts = sum(1 for row in rows if row[2] == "holdout")
    assert binomtest(holdouts, len(rows), 0.1).pvalue > 0.001, holdouts
    # the salt, the segment and a new consent_version each re-randomize: about 18% of the keys
    # change arm (2 * 0.1 * 0.9), independently of the original assignment
    for column in (3, 4, 5):
        changed = sum(1 for row in rows if row[column] != row[2])
        assert binomtest(changed, len(rows), 0.18).pvalue > 0.001, (column, changed)


# ---------------------------------------------------------------- RFM


def test_rfm_class_matches_the_hand_table(render: Render) -> None:
    """Every (R, F) cell of the 5 x 5 grid, written out by hand."""
    hand = {
        5: ["new", "potential_loyalist", "loyal", "champions", "champions"],
        4: ["potential_loyalist", "potential_loyalist", "loyal", "champions", "champions"],
        3: ["about_to_sleep", "about_to_sleep", "loyal", "loyal", "loyal"],
        2: ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"],
        1: ["lost", "lost", "at_risk", "at_risk", "cannot_lose"],
    }
    sql = render(
        "select r, f, {{ rfm_class('r', 'f') }} from range(1, 6) a(r), range(1, 6) b(f) "
        "union all select null, 3, {{ rfm_class('null', '3') }}"
    )
    for r, f, name in run(sql):
        assert name == (None if r is None else hand[r][f - 1]), (r, f)


def test_quintile_edges(render: Render) -> None:
    """Scores follow 1 + floor(5 * percent_rank) capped at 5; ties share the lower score."""
    sql = render(
        "select x, {{ quintile_score('x') }} as up, {{ quintile_score('x', descending=true) }}"
        " as down from values_table order by x"
    )
    values = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    rows = run(sql, f"create table values_table as select unnest({values}) as x")
    n = len(values)
    for x, up, down in rows:
        below = sum(1 for v in values if v < x)
        above = sum(1 for v in values if v > x)
        assert up == min(5, 1 + int(5 * below / (n - 1)))
        assert down == min(5, 1 + int(5 * above / (n - 1)))
    # by hand: percent_rank = values below / 10 = 0, .1, .1, .3, .4, ... 1; the tie at 2 shares
    assert [r[1] for r in rows] == [1, 1, 1, 2, 3, 3, 4, 4, 5, 5, 5]


# ---------------------------------------------------------------- consent as of a moment


@settings(max_examples=40, deadline=None)
@given(
    periods=st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 20), st.booleans()), min_size=0, max_size=6
    ),
    at=st.integers(-5, 80),
)
def test_is_valid_at_picks_the_period_holding_at_an_instant(
    render_is_valid_at: str, periods: list[tuple[int, int, bool]], at: int
) -> None:
    """Over [valid_from, valid_to) with open ends as null; an instant on a boundary belongs to
    the period that starts there (ties); no history means no period."""
    rows = [(start, None if open_end else start + length) for start, length, open_end in periods]
    setup = "create table periods (valid_from integer, valid_to integer)"
    con = duckdb.connect()
    con.execute(setup)
    if rows:
        con.executemany("insert into periods values (?, ?)", rows)
    got = sorted(
        con.execute(render_is_valid_at.replace("__AT__", str(at))).fetchall(),
        key=lambda r: (r[0], -1 if r[1] is None else r[1]),
    )
    expected = sorted(
        [(a, b) for a, b in rows if a <= at and (b is None or at < b)],
        key=lambda r: (r[0], -1 if r[1] is None else r[1]),
    )
    assert got == expected


@pytest.fixture(scope="module")
def render_is_valid_at(render: Render) -> str:
    return render("select valid_from, valid_to from periods where {{ is_valid_at('__AT__') }}")


def test_if_allowed_nulls_without_consent_and_rejects_unknown_purposes(render: Render) -> None:
    sql = render(
        "select {{ if_allowed('42', 'personalization') }} from (values (true), (false), (null))"
        " t(is_personalization_allowed)"
    )
    assert [r[0] for r in run(sql)] == [42, None, None]
    with pytest.raises(AssertionError):
        render("select {{ if_allowed('1', 'profiling') }}")


def test_purpose_allowed_reads_the_flag_of_the_named_purpose(render: Render) -> None:
    # flags differ per purpose, so each purpose must pick its own column
    sql = render(
        "select p, {{ purpose_allowed('p', 'f') }} from (values ('analytics'), "
        "('personalization'), ('marketing_email'), ('sale_sharing'), ('profiling'), (null)) "
        "as r(p) cross join (values (true, false, null, true)) "
        "as f(is_analytics_allowed, is_personalization_allowed, is_marketing_email_allowed, "
        "is_sale_sharing_allowed) order by p nulls last"
    )
    assert run(sql) == [
        ("analytics", True),
        ("marketing_email", None),
        ("personalization", False),
        ("profiling", None),
        ("sale_sharing", True),
        (None, None),
    ]


def test_consent_purposes_and_string_lists(render: Render) -> None:
    sql = render(
        'select {{ sql_string_list(consent_purposes()) }}, {{ sql_string_list(["it\'s"]) }}'
    )
    assert run(sql) == [
        (["analytics", "personalization", "marketing_email", "sale_sharing"], ["it's"])
    ]


# ---------------------------------------------------------------- business dates


def test_as_of_helpers(render: Render) -> None:
    sql = render(
        "select {{ as_of_date() }}, {{ as_of_end_timestamp() }}, {{ business_timestamp() }}",
        as_of="2026-03-14",
    )
    assert run(sql) == [
        (
            datetime(2026, 3, 14).date(),
            datetime(2026, 3, 15),
            datetime(2026, 3, 14),
        )
    ]
    with pytest.raises(AssertionError):
        render("select {{ as_of_date() }}", as_of="14/03/2026")


@pytest.mark.parametrize(
    "value",
    ["2026-13-45", "2026-02-30", "2025-02-29", "2026-04-31", "0000-01-01", "2026-9-30",
     "14/03/2026", "2026-09-30 12:00", 20260930, ["2026-09-30"], True],
)  # fmt: skip
def test_an_impossible_as_of_is_refused_naming_the_var_and_value(
    render: Render, value: object
) -> None:
    shown = str(value)
    message = (
        f"dbt var as_of must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), got '{shown}'"
    )
    with pytest.raises(AssertionError, match=re.escape(message)):
        render("select {{ as_of_date() }}", as_of=value)


@pytest.mark.parametrize("value", ["2024-02-29", "2026-12-31", "2026-01-01", " 2026-09-30 "])
def test_a_real_as_of_date_is_accepted(render: Render, value: str) -> None:
    expected = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    assert run(render("select {{ as_of_date() }}", as_of=value)) == [(expected,)]


def test_incremental_window_start_on_a_full_build(render: Render) -> None:
    assert run(render("select {{ incremental_window_start('received_date') }}")) == [
        (datetime(1900, 1, 1).date(),)
    ]


# ---------------------------------------------------------------- staging helpers


# the junk placeholders of the data contract (README), written out independently of the macro
JUNK = {"", "null", "none", "nil", "nan", "unknown", "anonymous", "guest", "n/a", "na"}
JUNK |= {"undefined", "0", "-1", "#n/a", "(null)"}
ALPHABET = string.ascii_letters + string.digits + " -_/#()"


@settings(max_examples=80, deadline=None)
@given(
    value=st.one_of(
        st.sampled_from(sorted(JUNK)).map(lambda j: f"  {j.upper()} "),
        st.sampled_from(sorted(JUNK)),
        st.text(alphabet=ALPHABET, max_size=12),
    )
)
def test_clean_identifier_treats_junk_as_missing(clean_identifier_sql: str, value: str) -> None:
    con = duckdb.connect()
    got = con.execute(clean_identifier_sql, [value]).fetchall()[0][0]
    trimmed = value.strip(" ")
    assert got == (None if trimmed.lower() in JUNK else trimmed)


@pytest.fixture(scope="module")
def clean_identifier_sql(render: Render) -> str:
    return render("select {{ clean_identifier('$1::varchar') }}")


def test_parse_timestamp_normalizes_offsets_to_utc(render: Render) -> None:
    sql = render(
        "select raw, {{ parse_timestamp('raw') }} from (values ('2024-02-01T11:00:00+01:00'),"
        " ('2024-02-01 10:00:00'), ('2024-02-01T10:00:00Z'), ('not a date'), (null)) t(raw)"
    )
    parsed = dict(run(sql, "set TimeZone = 'UTC'"))
    assert parsed["2024-02-01T11:00:00+01:00"] == datetime(2024, 2, 1, 10)
    assert parsed["2024-02-01 10:00:00"] == datetime(2024, 2, 1, 10)
    assert parsed["2024-02-01T10:00:00Z"] == datetime(2024, 2, 1, 10)
    assert parsed["not a date"] is None


def test_disposition_tells_copies_versions_and_conflicts_apart(render: Render) -> None:
    # key k, version v, content digest h (given), n only orders the output
    # k1: the latest version (v=2) twice with one content -> staged + duplicate, an older
    #     version -> superseded, the latest version with other content -> conflict, and an
    #     invalid row; k2: staged by an earlier load with digest 'e' (a copy, then a conflict);
    # k3: erased; k4: alone
    rows = (
        "('k1', 1, 2, 'b', null, null, false), ('k1', 2, 2, 'b', null, null, false), "
        "('k1', 3, 1, 'a', null, null, false), ('k1', 4, 2, 'c', null, null, false), "
        "('k1', 5, 2, 'z', 'bad', null, false), ('k2', 6, 1, 'e', null, 'e', false), "
        "('k2', 7, 1, 'f', null, 'e', false), ('k3', 8, 1, 'g', 'bad', null, true), "
        "('k4', 9, 1, 'h', null, null, false)"
    )
    columns = "t(k, n, v, content_hash, quarantine_reason, earlier, erased)"
    sql = render(
        "select n, {{ disposition(['k'], 'v desc', version='v', earlier_hash='earlier', "
        f"erased='erased', position='n') }}}} from (values {rows}) as {columns} order by n"
    )
    expected = [
        (1, "staged"), (2, "duplicate"), (3, "superseded"), (4, "conflict"), (5, "quarantined"),
        (6, "duplicate"), (7, "conflict"), (8, "deleted_customer"), (9, "staged"),
    ]  # fmt: skip
    assert run(sql) == expected
    # the winner among conflicting contents is the smaller digest, whatever the row order
    reordered = render(
        "select n, {{ disposition(['k'], 'v desc', version='v', earlier_hash='earlier', "
        f"erased='erased', position='n') }}}} from (select * from (values {rows}) as {columns} "
        "order by n desc) order by n"
    )
    assert run(reordered) == expected
    # without a version every other content of a key is a conflict
    no_version = render(
        "select n, {{ disposition(['k'], position='n') }} from (values ('k', 1, 'b', null), ('k', 2, 'a', null), "
        "('k', 3, 'a', null)) as t(k, n, content_hash, quarantine_reason) order by n"
    )
    assert run(no_version) == [(1, "conflict"), (2, "staged"), (3, "duplicate")]
    # precomputed copy ranks and kept digests (the events base) give the same as the windows
    ranked = render(
        "select n, {{ disposition(['k'], earlier_hash='earlier', copy_rank='r', kept_hash='kh', "
        "erased='erased') }} from (values ('k1', 1, 'b', null, null, false, 1, 'b'), "
        "('k1', 2, 'b', null, null, false, 2, 'b'), ('k1', 3, 'c', null, null, false, 3, 'b'), "
        "('k2', 4, 'e', null, 'e', false, null, null), ('k5', 5, 'x', null, null, true, null, null)"
        ") as t(k, n, content_hash, quarantine_reason, earlier, erased, r, kh) order by n"
    )
    assert "row_number" not in ranked
    assert run(ranked) == [
        (1, "staged"), (2, "duplicate"), (3, "conflict"), (4, "duplicate"), (5, "deleted_customer"),
    ]  # fmt: skip


def test_content_hash_encoding_is_injective(render: Render) -> None:
    sql = render(
        "select a, b, {{ content_hash(['a', 'b']) }} from (values ('ab', 'c'), ('a', 'bc'), "
        "(null, 'x'), ('', 'x'), ('null', 'x'), ('-', 'x'), ('1:a', null), ('1', ':a')) as t(a, b)"
    )
    digests = [row[2] for row in run(sql)]
    assert len(digests) == 8 and len(set(digests)) == 8
    assert all(len(d) == 32 for d in digests)


def test_privacy_region(render: Render) -> None:
    sql = render(
        "select c || '/' || coalesce(s, ''), {{ privacy_region('c', 's') }} from (values"
        " ('US', 'CA'), ('US', 'NY'), ('US', null), ('GB', null), ('FR', null), ('DE', 'BY'),"
        " ('CH', null), ('JP', null)) t(c, s)"
    )
    assert dict(run(sql)) == {
        "US/CA": "us_ca", "US/NY": "us_other", "US/": "us_other", "GB/": "uk",
        "FR/": "eu", "DE/BY": "eu", "CH/": "other", "JP/": "other",
    }  # fmt: skip


# ---------------------------------------------------------------- generic data tests


def test_generic_tests_pass_on_good_rows_and_fail_on_bad_ones(render: Render) -> None:
    expression = render("{{ test_expression_is_true(model='t', expression='lower_bound <= x') }}")
    unique = render("{{ test_unique_combination(model='t', columns=['k1', 'k2']) }}")
    good = "create table t as select * from (values (1, 'a', 0, 1), (1, 'b', 0, 2)) v(k1, k2, lower_bound, x)"
    bad = "create table t as select * from (values (1, 'a', 0, 1), (1, 'a', 5, 2), (2, 'c', null, 1)) v(k1, k2, lower_bound, x)"
    assert run(expression, good) == [] and run(unique, good) == []
    assert len(run(expression, bad)) == 2  # 5 <= 2 is false, null counts as false
    assert run(unique, bad) == [(1, "a", 2)]


def test_unique_combination_on_a_daily_window_checks_recent_keys_against_all_rows(
    render: Render,
) -> None:
    call = "{{ test_unique_combination(model='t', columns=['k'], recent_column='d') }}"
    everything = render(call)
    windowed = render(call, data_test_window_days=2)
    rows = [
        ("old", "2026-01-01"),
        ("old", "2026-01-02"),  # a duplicate among old rows only: checked by earlier runs
        ("again", "2026-01-01"),
        ("again", "2026-01-09"),  # a recent row repeating an old key
        ("new", "2026-01-10"),
        ("new", "2026-01-10"),  # two recent rows with one key
        ("edge", "2026-01-08"),  # just inside the window (newest day - 2)
        ("edge", "2026-01-08"),
        ("once", "2026-01-10"),
        (None, "2026-01-10"),
        (None, "2026-01-03"),  # null takes part as a value
    ]
    values = ", ".join(f"({'null' if k is None else repr(k)}, date '{d}')" for k, d in rows)
    setup = f"create table t as select * from (values {values}) v(k, d)"
    assert sorted(run(everything, setup), key=str) == sorted(
        [("old", 2), ("again", 2), ("new", 2), ("edge", 2), (None, 2)], key=str
    )
    assert sorted(run(windowed, setup), key=str) == sorted(
        [("again", 2), ("new", 2), ("edge", 2), (None, 2)], key=str
    )


# ---------------------------------------------------------------- safe_divide


def python_safe_divide(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


@pytest.fixture(scope="module")
def safe_divide_sql(render: Render) -> str:
    return render("select n, d, {{ safe_divide('n', 'd') }} as q from pairs order by i")


SAFE_DIVIDE_EDGES: list[tuple[int | None, int | None]] = [
    (1, 0), (0, 0), (-5, 0), (None, 0),  # zero denominator
    (1, None), (None, None), (0, None),  # null denominator
    (None, 3),  # null numerator
    (7, 2), (1, 3), (2, 3), (-7, 2), (7, -2), (-1, -3), (0, 5),  # integer division, signs
    (9_007_199_254_740_993, 1), (1, 9_007_199_254_740_993),  # beyond 2**53
]  # fmt: skip


def _pairs(rows: list[tuple[int | None, int | None]], kind: str) -> str:
    values = ", ".join(
        f"({i}, {'null' if n is None else n}, {'null' if d is None else d})"
        for i, (n, d) in enumerate(rows)
    )
    return f"create table pairs as select i, n::{kind} as n, d::{kind} as d from (values {values}) t(i, n, d)"


@pytest.mark.parametrize("integer_division", [False, True])
@pytest.mark.parametrize("kind", ["integer", "bigint", "decimal(18, 2)", "double"])
def test_safe_divide_edge_cases(safe_divide_sql: str, kind: str, integer_division: bool) -> None:
    """Nulls for a zero or null denominator; never an integer (truncated) quotient, even with
    DuckDB's integer_division on; negatives keep their sign."""
    small = [(n, d) for n, d in SAFE_DIVIDE_EDGES if max(abs(n or 0), abs(d or 0)) < 2**31]
    rows = small if kind in ("integer", "decimal(18, 2)") else SAFE_DIVIDE_EDGES
    setup = _pairs(rows, kind) + f"; set integer_division = {str(integer_division).lower()}"
    result = run(safe_divide_sql, setup)
    assert len(result) == len(rows)
    for (n, d), (_, _, quotient) in zip(rows, result, strict=True):
        expected = python_safe_divide(n, d)
        if expected is None:
            assert quotient is None, (kind, n, d, quotient)
        else:
            assert isinstance(quotient, float), (kind, n, d, quotient)
            assert quotient == pytest.approx(expected, rel=1e-15), (kind, n, d, quotient)
    assert dict(zip(rows, (q for *_, q in result), strict=True))[(7, 2)] == 3.5


def test_safe_divide_negative_zero_denominator_is_null(render: Render) -> None:
    assert run(render("select {{ safe_divide('1', '-0.0::double') }}")) == [(None,)]


def test_safe_divide_wraps_expressions(render: Render) -> None:
    """Each argument is one operand: (1 + 1) / (4 - 2), not 1 + 1 / 4 - 2."""
    assert run(render("select {{ safe_divide('1 + 1', '4 - 2') }}")) == [(1.0,)]
    assert run(render("select {{ safe_divide('1', '2 - 2') }}")) == [(None,)]


@settings(max_examples=100, deadline=None)
@given(
    n=st.one_of(st.none(), st.integers(-(10**12), 10**12)),
    d=st.one_of(st.none(), st.just(0), st.integers(-(10**6), 10**6)),
)
def test_safe_divide_matches_python(safe_divide_sql: str, n: int | None, d: int | None) -> None:
    ((_, _, quotient),) = run(safe_divide_sql, _pairs([(n, d)], "bigint"))
    expected = python_safe_divide(n, d)
    assert quotient == (None if expected is None else pytest.approx(expected, rel=1e-15))


# ---------------------------------------------------------------- engine dispatch


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            "segwarehouse.default__days_between('a', 'b')",
            "days_between has no implementation for the duckdb adapter: add duckdb__days_between",
        ),
        (
            "segwarehouse.default__pseudonymize('x', 'customer_id')",
            "add duckdb__pseudonymize (HMAC-SHA256 with the key kept out of SQL)",
        ),
        ("interval_of('1', 'week')", "interval_of: unit must be 'day', 'hour' or 'month'"),
    ],
)
def test_an_engine_without_an_implementation_fails_naming_the_macro(
    render: Render, call: str, message: str
) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        render("select {{ " + call + " }}")
