"""Pseudonymization and containment of personal data: the warehouse file holds none, the
identity file (owner-only) holds it in one relation, the publication holds none."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from conftest import ROOT, Build
from sql_helpers import compiled
from warehouse import connect, raw_reader, scalar

from segwarehouse.dbt_plugin import (
    DEVELOPMENT_KEY,
    IDENTITY_CATALOG,
    Plugin,
    hmac_pads,
    identity_path,
    prepare_identity_file,
    set_key_variables,
)

# the identity relation, as it sits in the identity file (catalog `restricted`, schema main)
IDENTITY_RELATION = ("main", "stg_shop__customer_identities")


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


def _hits_per_column(con: duckdb.DuckDBPyConnection, values: list[str]) -> dict[str, int]:
    """Rows holding a personal value (or an @example. address) per text column of the
    connection's own database file, attached files left out."""
    con.execute("create or replace temp table personal as select unnest(?) as v", [values])
    hits = {}
    for schema, table, column in _text_columns(con):
        hits[f"{schema}.{table}.{column}"] = scalar(
            con,
            f'select count(*) from "{schema}"."{table}" where "{column}" in '
            f"(select v from personal) or \"{column}\" like '%@example.%'",
        )
    return hits


def _personal_values_of(build: Build) -> list[str]:
    con = duckdb.connect()
    try:
        return _personal_values(con, build)
    finally:
        con.close()


def test_the_warehouse_file_holds_no_personal_data_at_all(bad_build: Build) -> None:
    """No e-mail, name or gift message anywhere in the file analysts copy, not even in a
    restricted schema (on main the identity relation lived in it)."""
    values = _personal_values_of(bad_build)
    assert len(values) > 1000
    con = duckdb.connect(str(bad_build.warehouse), read_only=True)
    try:
        hits = _hits_per_column(con, values)
        schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    finally:
        con.close()
    assert len(hits) > 50, "the scan found hardly any text column to read"
    assert not {column: n for column, n in hits.items() if n}, "personal data in the warehouse"
    assert "restricted" not in schemas


def test_the_identity_file_holds_personal_data_only_in_the_identity_relation(
    bad_build: Build,
) -> None:
    identity = identity_path(bad_build.warehouse, {})
    assert identity.exists(), f"no identity file at {identity}"
    values = _personal_values_of(bad_build)
    con = duckdb.connect(str(identity), read_only=True)
    try:
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() union all "
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        hits = _hits_per_column(con, values)
    finally:
        con.close()
    assert relations == [IDENTITY_RELATION]
    # the scan does find personal data where it is kept, so it is able to see a leak
    assert hits["main.stg_shop__customer_identities.email"] > 0
    assert hits["main.stg_shop__customer_identities.last_name"] > 0


def test_the_identity_file_is_owner_only_and_has_no_write_ahead_log(bad_build: Build) -> None:
    identity = identity_path(bad_build.warehouse, {})
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    assert identity.stat().st_uid == os.getuid()
    assert not Path(f"{identity}.wal").exists()
    # nothing else beside it: no leftover of its owner-only creation
    assert not list(identity.parent.glob(".identity-*"))


def test_the_publication_holds_no_personal_data(clean_build: Build, tmp_path: Path) -> None:
    # a build that publishes (publish refuses after a failed build): the defect-free one
    assert clean_build.result.returncode == 0, clean_build.result.output[-3000:]
    serving = tmp_path / "serving"
    published = subprocess.run(
        [
            sys.executable, "-m", "segwarehouse.tools.publish",
            "--warehouse", str(clean_build.warehouse),
            "--serving-dir", str(serving),
            # the build's own results (test_docs_generate may have run dbt docs since)
            "--run-results", str(clean_build.work / "build_run_results.json"),
        ],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    values = _personal_values_of(clean_build)
    files = sorted(p for p in serving.rglob("*.duckdb") if not p.is_symlink())
    assert files
    for file in files:
        con = duckdb.connect(str(file), read_only=True)
        try:
            hits = _hits_per_column(con, values)
            catalogs = {
                r[0]
                for r in con.execute(
                    "select table_catalog from information_schema.tables"
                ).fetchall()
            }
        finally:
            con.close()
        assert hits and not {column: n for column, n in hits.items() if n}, file
        assert IDENTITY_CATALOG not in catalogs
    parquets = sorted(serving.rglob("*.parquet"))
    assert parquets
    assert not [p for p in parquets if "identit" in p.name or "restricted" in p.name]
    con = duckdb.connect()
    try:
        for parquet in parquets:
            con.execute(f"create or replace view published as from read_parquet('{parquet}')")
            hits = _hits_per_column(con, values)
            assert not {column: n for column, n in hits.items() if n}, parquet
    finally:
        con.close()


def test_identity_path_follows_the_warehouse_path(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert identity_path(warehouse, {}) == tmp_path / "w.identity.duckdb"
    assert identity_path(warehouse, {"DBT_IDENTITY_PATH": "/x/id.duckdb"}) == Path("/x/id.duckdb")
    with pytest.raises(ValueError, match="DBT_IDENTITY_PATH"):
        identity_path(tmp_path / "w.db", {})


def test_the_identity_file_is_created_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    identity = tmp_path / "deep" / "w.identity.duckdb"
    previous = os.umask(0)
    try:
        prepare_identity_file(identity, tmp_path / "w.duckdb")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    duckdb.connect(str(identity)).close()  # a valid, empty DuckDB database
    assert sorted(p.name for p in identity.parent.iterdir()) == [identity.name]
    # an existing file made readable by others is set back to owner-only, and so is a .wal
    identity.chmod(0o644)
    wal = Path(f"{identity}.wal")
    wal.write_bytes(b"")
    wal.chmod(0o644)
    prepare_identity_file(identity, tmp_path / "w.duckdb")
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_the_identity_file_refuses_a_symlink_or_the_warehouse_itself(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.duckdb"
    duckdb.connect(str(target)).close()
    link = tmp_path / "w.identity.duckdb"
    link.symlink_to(target)
    with pytest.raises(RuntimeError, match="not a regular file owned by this user"):
        prepare_identity_file(link, tmp_path / "w.duckdb")
    with pytest.raises(RuntimeError, match="DBT_IDENTITY_PATH"):
        prepare_identity_file(tmp_path / "w.duckdb", tmp_path / "w.duckdb")


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
    identity = identity_path(bad_build.warehouse, {})
    con.execute(f"attach '{identity}' as {IDENTITY_CATALOG} (read_only)")
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


def test_the_plugin_refuses_an_identity_file_without_a_path(tmp_path: Path) -> None:
    """profiles.yml derives no path from a warehouse not ending in .duckdb: a clear error."""
    attach = [SimpleNamespace(alias=IDENTITY_CATALOG, path="")]
    credentials = SimpleNamespace(attach=attach, path=str(tmp_path / "w.db"))
    with pytest.raises(RuntimeError, match=r"does not end in \.duckdb, so set DBT_IDENTITY_PATH"):
        Plugin(name="segwarehouse", plugin_config={}, credentials=credentials)
    attach[0].path = str(tmp_path / "w.identity.duckdb")
    Plugin(name="segwarehouse", plugin_config={}, credentials=credentials)
    assert stat.S_IMODE((tmp_path / "w.identity.duckdb").stat().st_mode) == 0o600
