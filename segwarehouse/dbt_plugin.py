"""dbt-duckdb plugin that hands the pseudonymization key to DuckDB without putting it in SQL.

The keyed hash (HMAC-SHA256) is computed in SQL by the ``pseudonymize`` macro from two DuckDB
session variables, the key XOR-ed with the HMAC inner and outer pads. This plugin sets them on
every connection and cursor dbt opens, so the key never appears in compiled SQL, the manifest,
logs or the database file.

The key comes from the environment variable ``PSEUDONYMIZATION_KEY`` (any string; 32+ random
bytes recommended). Without it, a clearly marked DEVELOPMENT key is used and a warning is logged;
``PSEUDONYMIZATION_REQUIRE_KEY=1`` turns the missing key into an error (use it in production).

It also prepares the identity file, the separate DuckDB database that the profile attaches as
catalog ``restricted`` and that alone holds e-mail addresses and names: before dbt attaches it,
the file is created owner-only (mode 0600, never readable by anyone else, not even briefly) and an
existing one is checked to be a regular file of this user and set back to 0600. The profile
attaches it without a write-ahead log, so DuckDB never writes a ``.wal`` beside it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import math
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

KEY_ENV_VAR = "PSEUDONYMIZATION_KEY"
REQUIRE_ENV_VAR = "PSEUDONYMIZATION_REQUIRE_KEY"
# DEVELOPMENT DEFAULT ONLY: public, so pseudonyms made with it protect nothing. Set
# PSEUDONYMIZATION_KEY to a secret for any real data.
DEVELOPMENT_KEY = "dev-only-pseudonymization-key-do-not-use-in-production"

_BLOCK_SIZE = 64  # SHA-256 block size in bytes

IDENTITY_ENV_VAR = "DBT_IDENTITY_PATH"
# the catalog the profile attaches the identity file as (the identity model's `database`)
IDENTITY_CATALOG = "restricted"
IDENTITY_MODE = 0o600


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


def identity_path(warehouse: Path, environ: dict[str, str] | None = None) -> Path:
    """The identity file of a warehouse: env DBT_IDENTITY_PATH, else the warehouse path with
    its ``.duckdb`` suffix replaced by ``.identity.duckdb`` (the rule profiles.yml applies), so
    every warehouse has its own identity file."""
    env = os.environ if environ is None else environ
    if env.get(IDENTITY_ENV_VAR):
        return Path(env[IDENTITY_ENV_VAR])
    if warehouse.suffix != ".duckdb":
        raise ValueError(
            f"warehouse file {warehouse} does not end in .duckdb: set {IDENTITY_ENV_VAR} to the "
            "identity file's path"
        )
    return warehouse.with_suffix(".identity.duckdb")


def prepare_identity_file(path: Path, warehouse: Path) -> None:
    """Create the identity database file owner-only, or check and restrict an existing one."""
    if path.resolve() == warehouse.resolve():
        raise RuntimeError(
            f"identity file {path} is the warehouse file itself: set {IDENTITY_ENV_VAR} to a "
            "separate file"
        )
    if not path.exists() and not path.is_symlink():
        _create_owner_only_database(path)
    for file in (path, Path(f"{path}.wal")):
        if not file.exists() and not file.is_symlink():
            continue
        info = file.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise RuntimeError(
                f"identity file {file} is not a regular file owned by this user: refusing to "
                "write personal data to it"
            )
        if stat.S_IMODE(info.st_mode) != IDENTITY_MODE:
            os.chmod(file, IDENTITY_MODE)


def _create_owner_only_database(path: Path) -> None:
    """An empty DuckDB file made in a private (0700) folder, set to 0600, then linked into
    place (never over an existing file): no other user can open it before the chmod."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix=".identity-", dir=path.parent))
    try:
        fresh = private / path.name
        duckdb.connect(str(fresh)).close()
        os.chmod(fresh, IDENTITY_MODE)
        with contextlib.suppress(FileExistsError):  # made meanwhile: checked by the caller
            os.link(fresh, path)
    finally:
        for leftover in private.iterdir():
            leftover.unlink()
        private.rmdir()


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
    """Prepares the identity file, sets the HMAC key pads on every DuckDB connection and cursor
    of a dbt run, and registers the SQL functions the statistics macros need."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        for attachment in getattr(self.creds, "attach", None) or []:
            if attachment.alias != IDENTITY_CATALOG or attachment.path == ":memory:":
                continue
            if not attachment.path.strip():
                raise RuntimeError(
                    f"the identity file has no path: the warehouse path {self.creds.path!r} does "
                    f"not end in .duckdb, so set {IDENTITY_ENV_VAR} to the identity file's path"
                )
            prepare_identity_file(Path(attachment.path), Path(self.creds.path))
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
