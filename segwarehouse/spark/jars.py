"""The two jars of the Spark target, assembled from pinned PyPI wheels.

    python -m segwarehouse.spark.jars [--out DIR]    # prints the two jar paths

Iceberg's Spark runtime (``iceberg-spark-runtime-3.5_2.12``) comes from the wheel
``snowpark-connect-deps-iceberg``, which was repackaged without the Jackson that Iceberg's own
build shades into it: its classes refer to ``org.apache.iceberg.shaded.com.fasterxml.jackson``,
absent, and the first Iceberg write fails (``NoClassDefFoundError: .../JsonGenerator``). The
wheel ``snowpark-connect-deps-2`` ships plain Jackson 2.18.8 (core, databind, annotations);
this module relocates it into that package, as Iceberg's shadow build does: in every class file
the constant pool's UTF-8 entries naming ``com/fasterxml/jackson`` (class names, descriptors,
signatures) or ``com.fasterxml.jackson`` (strings), the entry names, and the service files'
names and contents. Everything else of a class file is copied byte for byte.

Both jars are written to one folder (default ``<project>/.spark/jars``, the `spark` profile's
``SPARK_JARS_DIR``): the runtime copied, the Jackson jar built. Inputs and outputs are checked
against the SHA-256 pinned below; an output already there with its pinned hash is kept (nothing
to do), any other is rebuilt in a temporary file and moved into place (``os.replace``). The
relocated jar is stored uncompressed with fixed timestamps, so its bytes (and hash) depend only
on its inputs and this code: a change here that changes them must update ``RELOCATED_SHA256``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / ".spark" / "jars"


@dataclass(frozen=True)
class PinnedJar:
    """A jar inside an installed wheel: its distribution, version, path there and SHA-256."""

    distribution: str
    version: str
    path: str  # relative to site-packages, as in the wheel's RECORD
    sha256: str

    @property
    def name(self) -> str:
        return Path(self.path).name


ICEBERG_RUNTIME = PinnedJar(
    "snowpark-connect-deps-iceberg",
    "1.0.3",
    "snowpark_connect_deps_iceberg/jars/iceberg-spark-runtime-3.5_2.12-1.10.2.jar",
    "5b30080c7bbbced0fb0900894b7ea0200b1bbb2e4c355ebe727baafaf49c16f6",
)
JACKSON = tuple(
    PinnedJar("snowpark-connect-deps-2", "3.56.7", f"snowpark_connect_deps_2/jars/{name}", digest)
    for name, digest in (
        (
            "jackson-core-2.18.8.jar",
            "ab865e39f01403598748b090a3bf528616e701913a71afc37a227daa0fabb4ae",
        ),
        (
            "jackson-databind-2.18.8.jar",
            "06ea5950905263fac3e1730de6a21a023151626af6bb3cb099f88644a0fa04f0",
        ),
        (
            "jackson-annotations-2.18.8.jar",
            "b21889d334ff04b8a3efe54473613ec79e7eed080a28e98abbc3997b46901a54",
        ),
    )
)
RELOCATED_NAME = "iceberg-jackson-relocated-2.18.8.jar"
RELOCATED_SHA256 = "0495396914f4f30f32b88caa64cbcd0b805fd90e85a0c94afea091d517801ab8"

# `com/fasterxml/jackson` or `com.fasterxml.jackson`, unless already under a `shaded` package
_JACKSON = re.compile(rb"(?<!shaded[/.])com([/.])fasterxml\1jackson")
_RELOCATED = rb"org\1apache\1iceberg\1shaded\1com\1fasterxml\1jackson"
SHADED_PREFIX = "org/apache/iceberg/shaded/"

# size of each constant-pool entry after its tag, but UTF-8 (JVMS 4.4); Long and Double take two
# slots of the pool
_CONSTANT_SIZES = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2}
_CONSTANT_SIZES |= {17: 4, 18: 4, 19: 2, 20: 2}
_UTF8 = 1
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def relocate(text: bytes) -> bytes:
    """Jackson's package names in `text` (slash or dotted form) moved under Iceberg's shaded
    package. Byte-wise, which is safe on modified UTF-8: ASCII bytes never occur inside a
    multi-byte character."""
    return _JACKSON.sub(_RELOCATED, text)


def relocate_class(data: bytes) -> bytes:
    """A class file with every constant-pool UTF-8 entry relocated; the rest copied as is."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a class file (no CAFEBABE magic)")
    count = int.from_bytes(data[8:10], "big")
    out, pos, index = bytearray(data[:10]), 10, 1
    while index < count:
        tag = data[pos]
        if tag == _UTF8:
            length = int.from_bytes(data[pos + 1 : pos + 3], "big")
            text = relocate(data[pos + 3 : pos + 3 + length])
            if len(text) > 0xFFFF:
                raise ValueError(f"constant {index} is too long once relocated")
            out += bytes([_UTF8]) + len(text).to_bytes(2, "big") + text
            pos += 3 + length
        elif tag in _CONSTANT_SIZES:
            out += data[pos : pos + 1 + _CONSTANT_SIZES[tag]]
            pos += 1 + _CONSTANT_SIZES[tag]
            index += 1 if tag in (5, 6) else 0
        else:
            raise ValueError(f"unknown constant-pool tag {tag} at byte {pos}")
        index += 1
    return bytes(out + data[pos:])


def _relocated_entries(source: Path) -> Iterable[tuple[str, bytes]]:
    """The entries of one jar as they go into the relocated jar (name, content). Dropped:
    folders, the manifest (the jar gets its own), Maven metadata and module-info.class (a jar
    on the class path is no module). Other META-INF files (licences, notices) go under
    META-INF/<jar name>/ so the three jars' LICENSE and NOTICE all stay."""
    with zipfile.ZipFile(source) as jar:
        for info in jar.infolist():
            name = info.filename
            if (
                info.is_dir()
                or name == "META-INF/MANIFEST.MF"
                or name.startswith("META-INF/maven/")
                or name.rsplit("/", 1)[-1] == "module-info.class"
            ):
                continue
            data = jar.read(info)
            if name.endswith(".class"):
                yield relocate(name.encode()).decode(), relocate_class(data)
            elif name.startswith("META-INF/services/"):
                yield relocate(name.encode()).decode(), relocate(data)
            elif name.startswith("META-INF/") and not name.startswith("META-INF/versions/"):
                yield f"META-INF/{source.stem}/{name.removeprefix('META-INF/')}", data
            else:
                yield relocate(name.encode()).decode(), data


def relocate_jars(sources: Iterable[Path], target: Path) -> None:
    """One jar at `target` holding the entries of `sources`, relocated; service files of the
    same name are merged. Stored uncompressed, entries sorted, fixed timestamps: the same
    inputs always give the same bytes."""
    entries: dict[str, bytes] = {}
    for source in sources:
        for name, data in _relocated_entries(source):
            if name in entries and not name.startswith("META-INF/services/"):
                raise ValueError(f"{name} is in two of the jars")
            if name in entries:
                lines = entries[name].splitlines() + data.splitlines()
                data = b"\n".join(dict.fromkeys(line for line in lines if line.strip())) + b"\n"
            entries[name] = data
    manifest = "Manifest-Version: 1.0\r\nCreated-By: segwarehouse.spark.jars\r\n"
    if any(name.startswith("META-INF/versions/") for name in entries):
        manifest += "Multi-Release: true\r\n"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as jar:
        for name, data in [
            ("META-INF/MANIFEST.MF", f"{manifest}\r\n".encode()),
            *sorted(entries.items()),
        ]:
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.external_attr = 0o100644 << 16
            jar.writestr(info, data)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed_jar(jar: PinnedJar) -> Path:
    """The jar's file in the installed wheel, checked against its pinned version and hash."""
    try:
        distribution = importlib.metadata.distribution(jar.distribution)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"{jar.distribution}=={jar.version} is not installed: make spark-deps "
            "(requirements-spark.lock)"
        ) from None
    if distribution.version != jar.version:
        raise ValueError(
            f"{jar.distribution} {distribution.version} is installed, {jar.version} is pinned"
        )
    path = Path(str(distribution.locate_file(jar.path)))
    if not path.is_file():
        raise FileNotFoundError(f"{jar.distribution} is installed, but without {path}")
    if (actual := sha256_of(path)) != jar.sha256:
        raise ValueError(f"{path}: SHA-256 {actual}, pinned {jar.sha256}")
    return path


def _write_once(target: Path, sha256: str, write: Callable[[Path], None]) -> Path:
    """`target` with content of hash `sha256`: kept if already so, else written by `write` into
    a temporary file beside it, checked, and moved into place."""
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        if (actual := sha256_of(Path(temporary))) != sha256:
            raise ValueError(f"{target.name} came out with SHA-256 {actual}, pinned {sha256}")
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def assemble(out: Path = DEFAULT_OUT) -> tuple[Path, Path]:
    """The Iceberg runtime and the relocated Jackson jar in `out` (written if not there)."""
    runtime = _write_once(
        out / ICEBERG_RUNTIME.name,
        ICEBERG_RUNTIME.sha256,
        lambda path: shutil.copyfile(installed_jar(ICEBERG_RUNTIME), path),
    )
    relocated = _write_once(
        out / RELOCATED_NAME,
        RELOCATED_SHA256,
        lambda path: relocate_jars([installed_jar(jar) for jar in JACKSON], path),
    )
    return runtime, relocated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the jars")
    args = parser.parse_args(argv)
    for path in assemble(args.out.resolve()):
        print(path)


if __name__ == "__main__":
    main()
