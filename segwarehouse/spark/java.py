"""The Java runtime of the Spark target: `java` on the PATH (or JAVA_HOME), version 17 or later.

    python -m segwarehouse.spark.java    # prints the version, or exits 1 saying what to install

pyspark starts the JVM from JAVA_HOME, else the `java` on the PATH; Spark 3.5 supports Java 17
(and 8, 11). Later versions may run but are not supported by Spark 3.5: a warning is printed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = 17
NEWEST_SUPPORTED = 17  # by Spark 3.5
INSTALL_HINT = "install Java 17 (Debian: apt-get install openjdk-17-jre-headless)"


def java_executable() -> Path | None:
    """The `java` pyspark will start: JAVA_HOME's if set, else the PATH's."""
    if home := os.environ.get("JAVA_HOME"):
        candidate = Path(home) / "bin" / "java"
        return candidate if candidate.is_file() else None
    found = shutil.which("java")
    return Path(found) if found else None


def parse_major(version_output: str) -> int:
    """The major version from `java -version`'s output (`1.8.0_402` is 8, `17.0.15` is 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        raise ValueError(f"no version in: {version_output.strip()[:200]!r}")
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    return minor if major == 1 else major


def check_java() -> int:
    """The major version of the Java pyspark will start; RuntimeError naming what to install
    if it is missing or older than MINIMUM."""
    java = java_executable()
    if java is None:
        where = "JAVA_HOME/bin/java" if os.environ.get("JAVA_HOME") else "java on the PATH"
        raise RuntimeError(f"no {where}: {INSTALL_HINT}")
    result = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False, timeout=60
    )
    major = parse_major(result.stderr + result.stdout)
    if major < MINIMUM:
        raise RuntimeError(f"{java} is Java {major}, Spark needs {MINIMUM}: {INSTALL_HINT}")
    return major


def main() -> None:
    try:
        major = check_java()
    except (RuntimeError, ValueError) as error:
        sys.exit(f"error: {error}")
    if major > NEWEST_SUPPORTED:
        print(f"warning: Java {major} is newer than Spark 3.5 supports; {INSTALL_HINT}")
    print(f"Java {major}")


if __name__ == "__main__":
    main()
