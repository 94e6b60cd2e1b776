"""Checks the text of dbt's --vars before dbt reads it.

    python -m segwarehouse.tools.cli_vars '{as_of: 2026-13-45}'

dbt parses --vars as YAML before it loads the project, and YAML reads an unquoted impossible
date such as 2026-13-45 or 2026-02-30 as a date: dbt then stops with a Python traceback
("month must be in 1..12") that names no var. This check names the var and the value instead
(make dbt-build runs it). Everything else about the vars is checked by the project itself
(macro _as_of_var for as_of), so a quoted value reaches it.
"""

from __future__ import annotations

import sys

import yaml


class VarsError(ValueError):
    """A --vars value dbt cannot read."""


def check(text: str) -> None:
    """Raise VarsError naming the var when `text` holds an unquoted impossible date."""
    try:
        yaml.safe_load(text)
        return
    except yaml.YAMLError:
        return  # not YAML at all: dbt says so itself
    except ValueError:
        pass  # yaml's date constructor: an impossible date written unquoted
    raw = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text
    for key, value in raw.items() if isinstance(raw, dict) else []:
        for scalar in _scalars(value):
            try:
                yaml.safe_load(scalar)
            except ValueError:
                raise VarsError(
                    f"dbt var {key} must be a calendar date written YYYY-MM-DD "
                    f"(e.g. 2026-09-30), got '{scalar}'"
                ) from None


def _scalars(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _scalars(item)]
    if isinstance(value, list):
        return [s for item in value for s in _scalars(item)]
    return [str(value)]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        check(args[0] if args else "{}")
    except VarsError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
