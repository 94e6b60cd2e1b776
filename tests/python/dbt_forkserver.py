"""A dbt fork server for the test suite: one process per pytest worker imports dbt once, then
runs each `dbt ...` command of the tests in a forked child, which is a fresh process in every way
that matters to a test (its own environment, working folder, exit code, output and open files,
all gone when it exits) but starts without a second and a half of imports.

Protocol, one JSON line each way: the test process writes {"argv", "cwd", "env", "output"}, the
server forks, the child runs the dbt CLI with its stdout and stderr in the file `output` and
exits with dbt's code, and the server answers {"returncode"}. The server itself never runs dbt
and starts no thread, so forking it is safe.

Before serving, it also makes what each dbt process would otherwise make lazily on first use,
the same in every command (warm_up): mashumaro's generated (de)serializers of dbt's manifest
classes, the JSON schemas of the project and profile classes dbt validates, and the compiled
Jinja template of every macro (dbt caches them by their source text, so a macro a test changed
is compiled anew). Pure Python, in memory: every child inherits them."""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import threading
from multiprocessing import resource_tracker
from pathlib import Path

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


# the classes dbt validates (json_schema, cached per class) in a parse or a build of the project
VALIDATED = (
    ("dbt.adapters.duckdb.credentials", "DuckDBCredentials"),
    ("dbt.artifacts.resources.v1.config", "Hook"),
    ("dbt.contracts.project", "Configuration"),
    ("dbt.contracts.project", "PackageConfig"),
    ("dbt.contracts.project", "ProfileConfig"),
    ("dbt.contracts.project", "Project"),
    ("dbt.contracts.project", "ProjectFlags"),
    ("dbt.contracts.selection", "SelectorFile"),
    ("dbt_common.contracts.constraints", "ColumnLevelConstraint"),
    ("dbt_common.contracts.constraints", "ModelLevelConstraint"),
)


def warm_up(saved_parse: Path) -> None:
    """A dbt command decodes the saved parse (partial_parse.msgpack), encodes the manifest again
    (the saved parse), validates the project and profile and compiles the macros it calls:
    mashumaro generates the (de)serializer of each class on its first use, dbt builds each JSON
    schema and compiles each macro's template once per process (its template cache, keyed by
    the macro's source), ~1.5-2 s of CPU per command. Done here once, for every macro of the
    project, dbt and dbt-duckdb (~1.3 s), they are inherited by every child."""
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumaro_encoder, extended_mashumuro_decoder
    from dbt_common.clients.jinja import template_cache

    manifest = Manifest.from_msgpack(saved_parse.read_bytes(), decoder=extended_mashumuro_decoder)
    manifest.to_msgpack(extended_mashumaro_encoder)
    for module, name in VALIDATED:
        getattr(importlib.import_module(module), name).json_schema()
    # the project's own macros, which its parse above already compiled: none can fail here (a
    # test's changed copy of a macro is a different source text, compiled by its own dbt command)
    for macro in manifest.macros.values():
        template_cache.get_node_template(macro)
    # the manifest's lock is a multiprocessing semaphore, which started multiprocessing's
    # resource tracker: released and stopped, so each child starts its own as a dbt process does
    del manifest
    gc.collect()
    resource_tracker._resource_tracker._stop()


def serve(saved_parse: Path) -> None:
    # the imports a dbt run needs, made once: dbt and the project's plugin
    for module in PRELOADED:
        importlib.import_module(module)
    warm_up(saved_parse)
    assert threading.active_count() == 1, "the fork server must start no thread"

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
