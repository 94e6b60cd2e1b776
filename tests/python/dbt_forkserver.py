"""A dbt fork server for the test suite: one process per pytest worker imports dbt once, then
runs each `dbt ...` command of the tests in a forked child, which is a fresh process in every way
that matters to a test (its own environment, working folder, exit code, output and open files,
all gone when it exits) but starts without a second and a half of imports.

Protocol, one JSON line each way: the test process writes {"argv", "cwd", "env", "output"}, the
server forks, the child runs the dbt CLI with its stdout and stderr in the file `output` and
exits with dbt's code, and the server answers {"returncode"}. The server itself never runs dbt
and starts no thread, so forking it is safe."""

from __future__ import annotations

import importlib
import json
import os
import sys

# what a `dbt build` of the project imports (sys.modules after one, less before: about 450
# modules, most of them pandas, which dbt-duckdb's Python model support loads): ~0.4 s of CPU
# saved in every child
PRELOADED = (
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "dbt.task.build",
    "dbt.task.compile",
    "dbt.task.run",
    "dbt.task.seed",
    "dbt.task.snapshot",
    "dbt.task.test",
    "pandas",
    "pyarrow",
    "sqlparse",
    "segwarehouse.dbt_plugin",
    "segwarehouse.registry",
)


def _child(request: dict) -> None:
    """In the forked child: become the dbt process the test asked for, then exit."""
    code = 1
    try:
        with open(request["output"], "w") as output:
            os.dup2(output.fileno(), 1)
            os.dup2(output.fileno(), 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = request["argv"]
        from dbt.cli.main import cli

        try:
            cli()  # the `dbt` console script: click exits with dbt's code
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        # what the end of a dbt process does: close DuckDB (a checkpoint; the identity file
        # writes no log, so an unclosed one would lose what the run wrote)
        from segwarehouse.tools.simulate import release_warehouse

        release_warehouse()
    except BaseException as error:  # reported in the output, as the CLI would
        print(f"dbt fork server: {error!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    # the imports a dbt run needs, made once: dbt, and the project's plugin and Python model
    for module in PRELOADED:
        importlib.import_module(module)

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    serve()
