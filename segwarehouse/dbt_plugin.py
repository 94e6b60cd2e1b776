"""dbt-duckdb plugin that hands the pseudonymization key to DuckDB without putting it in SQL.

The keyed hash (HMAC-SHA256) is computed in SQL by the ``pseudonymize`` macro from two DuckDB
session variables, the key XOR-ed with the HMAC inner and outer pads. This plugin sets them on
every connection and cursor dbt opens, so the key never appears in compiled SQL, the manifest,
logs or the database file.

The key comes from the environment variable ``PSEUDONYMIZATION_KEY`` (any string; 32+ random
bytes recommended). Without it, a clearly marked DEVELOPMENT key is used and a warning is logged;
``PSEUDONYMIZATION_REQUIRE_KEY=1`` turns the missing key into an error (use it in production).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import math
import os
import sys
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

KEY_ENV_VAR = "PSEUDONYMIZATION_KEY"
REQUIRE_ENV_VAR = "PSEUDONYMIZATION_REQUIRE_KEY"
# DEVELOPMENT DEFAULT ONLY: public, so pseudonyms made with it protect nothing. Set
# PSEUDONYMIZATION_KEY to a secret for any real data.
DEVELOPMENT_KEY = "dev-only-pseudonymization-key-do-not-use-in-production"

_BLOCK_SIZE = 64  # SHA-256 block size in bytes


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """Return the (inner, outer) HMAC-SHA256 pads for ``key`` (RFC 2104)."""
    if len(key) > _BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK_SIZE, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def resolve_key(environ: dict[str, str] | None = None) -> tuple[bytes, bool]:
    """Return the key bytes and whether it is the development default."""
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV_VAR, "")
    if value:
        return value.encode("utf-8"), False
    if env.get(REQUIRE_ENV_VAR, "") not in ("", "0", "false"):
        raise RuntimeError(
            f"{KEY_ENV_VAR} is not set and {REQUIRE_ENV_VAR} is on: refusing to pseudonymize "
            "with the development key."
        )
    return DEVELOPMENT_KEY.encode("utf-8"), True


def pseudonym(kind: str, value: str, key: bytes) -> str:
    """The pseudonym the ``pseudonymize`` macro gives ``value`` of identifier ``kind``:
    lowercase hex HMAC-SHA256(key, kind || ':' || value). The kind separates the domains, so
    equal strings of different kinds (an anonymous_id equal to a customer_id) never collide."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def set_key_variables(con: Any, key: bytes) -> None:
    """Set the pad variables the ``pseudonymize`` macro reads on one DuckDB connection."""
    inner, outer = hmac_pads(key)
    con.execute("set variable pseudonymization_inner_pad = ?", [inner])
    con.execute("set variable pseudonymization_outer_pad = ?", [outer])


def normal_sf(z: float) -> float:
    """Upper tail of the standard normal distribution, P(Z > z), to double precision."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def register_functions(con: Any) -> None:
    """SQL functions DuckDB lacks, used by the statistics macros (normal_sf for p-values)."""
    from duckdb import sqltypes

    try:
        con.create_function(
            "normal_sf", normal_sf, [sqltypes.DOUBLE], sqltypes.DOUBLE, side_effects=False
        )
    except Exception as error:  # already registered on this connection
        if "already exists" not in str(error):
            raise


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):  # already closed
        conn.close()


class Plugin(BasePlugin):
    """Sets the HMAC key pads on every DuckDB connection and cursor of a dbt run, and registers
    the SQL functions the statistics macros need."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._key, is_default = resolve_key()
        if is_default:
            print(
                f"WARNING: {KEY_ENV_VAR} is not set; pseudonymizing with the public DEVELOPMENT "
                "key. Set it to a secret for real data.",
                file=sys.stderr,
            )

    def configure_connection(self, conn: Any) -> None:
        set_key_variables(conn, self._key)
        register_functions(conn)
        # dbt-duckdb keeps its connection open until the interpreter exits; closing it first
        # releases the Python function cleanly (otherwise nanobind reports "leaked" objects).
        atexit.register(_close_quietly, conn)

    def configure_cursor(self, cursor: Any) -> None:
        set_key_variables(cursor, self._key)
