"""Pseudonymization and containment of personal data in the built warehouse."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest
from conftest import Build
from sql_helpers import compiled
from warehouse import connect, raw_reader, scalar

from segwarehouse.dbt_plugin import DEVELOPMENT_KEY, hmac_pads, set_key_variables

RESTRICTED = ("restricted", "stg_shop__customer_identities")


def _personal_values(con: duckdb.DuckDBPyConnection, build: Build) -> list[str]:
    """Raw e-mails, names, gift messages, raw device ids, and unkeyed SHA-256 of e-mails."""
    customers = raw_reader(build.raw_dir, "customers")
    orders = raw_reader(build.raw_dir, "orders")
    rows = con.execute(
        f"""
        select distinct v from (
            select trim(email) as v from {customers}
            union all select lower(trim(email)) from {customers}
            union all select trim(first_name) from {customers}
            union all select trim(last_name) from {customers}
            union all select sha256(lower(trim(email))) from {customers}
            union all select trim(gift_message) from {orders}
        ) where length(v) >= 3
        """
    ).fetchall()
    return [r[0] for r in rows]


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_catalog = current_database() "
        "order by all"
    ).fetchall()


def test_no_personal_data_outside_the_restricted_identity_model(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    values = _personal_values(con, bad_build)
    assert len(values) > 1000
    con.execute("create temp table personal as select unnest(?) as v", [values])
    leaks = []
    found_in_restricted = 0
    for schema, table, column in _text_columns(con):
        hits = scalar(
            con,
            f'select count(*) from "{schema}"."{table}" where "{column}" in '
            f"(select v from personal) or \"{column}\" like '%@example.%'",
        )
        if (schema, table) == RESTRICTED:
            found_in_restricted += hits
        elif hits:
            leaks.append(f"{schema}.{table}.{column}: {hits}")
    assert not leaks, leaks
    # The scan does find personal data where it is kept, so it is able to see a leak.
    assert found_in_restricted > 0


def test_keys_are_hmac_sha256_of_the_ids_under_the_key(bad_build: Build) -> None:
    con = connect(bad_build.warehouse)
    rows = con.execute(
        "select customer_id, customer_key from restricted.stg_shop__customer_identities"
    ).fetchall()
    assert rows
    for customer_id, key in rows[:500]:
        # the message is the identifier kind, ':', the id (domain separation, issue 13)
        message = b"customer_id:" + customer_id.encode()
        expected = hmac.new(DEVELOPMENT_KEY.encode(), message, hashlib.sha256)
        assert key == expected.hexdigest()
    staged = {
        r[0] for r in con.execute("select customer_key from staging.stg_shop__customers").fetchall()
    }
    assert staged == {r[1] for r in rows}
    # A bare hash of the id is not what is stored.
    assert rows[0][1] != hashlib.sha256(rows[0][0].encode()).hexdigest()


# the pseudonymize macro as the models use it, on the raw ids of the restricted model (the
# staging models are tables, so their stored keys cannot show what the macro does now)
PSEUDONYMS_SQL = (
    "select {{ pseudonymize('customer_id', 'customer_id') }} as customer_key "
    "from restricted.stg_shop__customer_identities order by customer_id limit 50"
)


def test_another_key_gives_other_pseudonyms(bad_build: Build) -> None:
    sql = compiled(bad_build, PSEUDONYMS_SQL)
    con = connect(bad_build.warehouse)
    before = con.execute(sql).fetchall()
    stored = con.execute(
        "select customer_key from restricted.stg_shop__customer_identities "
        "order by customer_id limit 50"
    ).fetchall()
    assert len(before) == 50 and before == stored
    set_key_variables(con, b"another secret key")
    after = con.execute(sql).fetchall()
    assert len(after) == 50
    assert not set(before) & set(after)
    con.close()


def test_equal_strings_of_different_identifier_kinds_get_different_pseudonyms(
    bad_build: Build,
) -> None:
    """An anonymous_id (or session id, e-mail) equal to some customer_id string must not get
    that customer's key: every kind is its own HMAC domain (defect 8 of issue 13)."""
    kinds = ("customer_id", "email", "anonymous_id", "session_id")
    sql = compiled(
        bad_build,
        "select customer_id, "
        + ", ".join(f"{{{{ pseudonymize('customer_id', '{kind}') }}}} as {kind}" for kind in kinds)
        + " from restricted.stg_shop__customer_identities order by customer_id limit 200",
    )
    con = connect(bad_build.warehouse)
    rows = con.execute(sql).fetchall()
    assert len(rows) == 200
    staged = {
        r[0] for r in con.execute("select customer_key from staging.stg_shop__customers").fetchall()
    }
    for customer_id, *keys in rows:
        assert keys[0] in staged
        assert len(set(keys)) == len(kinds), customer_id
        assert not set(keys[1:]) & staged
        for kind, key in zip(kinds, keys, strict=True):
            message = f"{kind}:{customer_id}".encode()
            assert key == hmac.new(DEVELOPMENT_KEY.encode(), message, hashlib.sha256).hexdigest()
    # an unknown kind is a compile error, never an unseparated hash
    with pytest.raises(AssertionError, match="not one of"):
        compiled(bad_build, "select {{ pseudonymize('customer_id', 'phone') }} as k")


def test_without_the_key_pseudonymization_fails_loudly(bad_build: Build) -> None:
    sql = compiled(bad_build, PSEUDONYMS_SQL)
    con = duckdb.connect(str(bad_build.warehouse), read_only=True)
    with pytest.raises(duckdb.Error, match="pseudonymization key"):
        con.execute(sql).fetchall()
    con.close()


@pytest.mark.parametrize("key", [b"", b"k", b"x" * 64, b"y" * 65, bytes(range(200))])
def test_hmac_pads_follow_rfc_2104(key: bytes) -> None:
    con = duckdb.connect()
    set_key_variables(con, key)
    got = con.execute(
        "select sha256(getvariable('pseudonymization_outer_pad') || unhex(sha256("
        "getvariable('pseudonymization_inner_pad') || encode('C0000042'))))"
    ).fetchall()[0][0]
    assert got == hmac.new(key, b"C0000042", hashlib.sha256).hexdigest()
    inner, outer = hmac_pads(key)
    assert len(inner) == len(outer) == 64
