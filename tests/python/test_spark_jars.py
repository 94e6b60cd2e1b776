"""The jars of the Spark target (segwarehouse.spark.jars): Jackson relocated under Iceberg's
shaded package, on class files and jars made here (no Java, no Spark), then on the real jars
when the Spark dependencies are installed (make spark-deps)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from segwarehouse.spark import jars
from segwarehouse.spark.java import parse_major
from segwarehouse.spark.smoke import step_vars

SHADED = "org/apache/iceberg/shaded/com/fasterxml/jackson"
TAIL = bytes.fromhex("0021 0002 0000 0000 0000 0000 0000")  # flags, this, super, no members


def utf8(text: str) -> bytes:
    # modified UTF-8 equals UTF-8 for these strings (no NUL, no supplementary characters)
    data = text.encode()
    return b"\x01" + len(data).to_bytes(2, "big") + data


def class_file(*strings: str) -> bytes:
    """A class file whose constant pool mixes the UTF-8 entries `strings` (1-3, and 5 and 8 and
    9 below) with other kinds: a Class, a Long (two slots), a String, a MethodHandle."""
    first, second, third, dotted, *rest = strings
    pool = [
        utf8(first),  # 1
        b"\x07\x00\x01",  # 2: Class #1
        utf8(second),  # 3
        b"\x05" + bytes(range(1, 9)),  # 4 and 5: Long
        utf8(third),  # 6
        utf8(dotted),  # 7
        b"\x08\x00\x07",  # 8: String #7
        b"\x0f\x06\x00\x02",  # 9: MethodHandle
        *(utf8(text) for text in rest),  # 10...
    ]
    count = 10 + len(rest)
    return b"\xca\xfe\xba\xbe\x00\x00\x00\x37" + count.to_bytes(2, "big") + b"".join(pool) + TAIL


ORIGINAL = (
    "com/fasterxml/jackson/core/JsonGenerator",
    "(Lcom/fasterxml/jackson/core/JsonGenerator;Ljava/util/List<Lcom/fasterxml/jackson/databind/JsonNode;>;)V",
    f"{SHADED}/core/JsonFactory",  # already relocated: unchanged
    "com.fasterxml.jackson.databind.ObjectMapper",
    "java/lang/Object",
    "Café: com.fasterxml.jackson.core",  # a multi-byte character before it
    "org/example/com/fasterxmlx/jackson",  # not Jackson's package
)
RELOCATED = (
    f"{SHADED}/core/JsonGenerator",
    f"(L{SHADED}/core/JsonGenerator;Ljava/util/List<L{SHADED}/databind/JsonNode;>;)V",
    f"{SHADED}/core/JsonFactory",
    "org.apache.iceberg.shaded.com.fasterxml.jackson.databind.ObjectMapper",
    "java/lang/Object",
    "Café: org.apache.iceberg.shaded.com.fasterxml.jackson.core",
    "org/example/com/fasterxmlx/jackson",
)


def test_relocating_a_class_rewrites_only_its_utf8_constants() -> None:
    assert jars.relocate_class(class_file(*ORIGINAL)) == class_file(*RELOCATED)


def test_relocating_an_already_relocated_class_changes_nothing() -> None:
    relocated = class_file(*RELOCATED)
    assert jars.relocate_class(relocated) == relocated


def test_a_class_file_with_an_unknown_constant_or_no_magic_is_refused() -> None:
    broken = class_file(*ORIGINAL).replace(b"\x0f\x06\x00\x02", b"\x02\x06\x00\x02")
    with pytest.raises(ValueError, match="unknown constant-pool tag 2"):
        jars.relocate_class(broken)
    with pytest.raises(ValueError, match="not a class file"):
        jars.relocate_class(b"PK\x03\x04")


def make_jar(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as jar:
        for name, data in entries.items():
            jar.writestr(name, data)
    return path


GENERATOR = class_file(*ORIGINAL)
SERVICE = "META-INF/services/com.fasterxml.jackson.core.JsonFactory"


@pytest.fixture()
def two_jars(tmp_path: Path) -> list[Path]:
    core = make_jar(
        tmp_path / "jackson-core-2.18.8.jar",
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n\r\n",
            "META-INF/LICENSE": b"core licence",
            SERVICE: b"com.fasterxml.jackson.core.JsonFactory\n",
            "META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.xml": b"<project/>",
            "META-INF/versions/9/module-info.class": b"\xca\xfe\xba\xbe",
            "META-INF/versions/17/com/fasterxml/jackson/core/io/Swar.class": GENERATOR,
            "com/": b"",
            "com/fasterxml/jackson/core/JsonGenerator.class": GENERATOR,
            "com/fasterxml/jackson/core/json/VERSION.txt": b"2.18.8",
        },
    )
    databind = make_jar(
        tmp_path / "jackson-databind-2.18.8.jar",
        {
            "META-INF/LICENSE": b"databind licence",
            SERVICE: b"com.fasterxml.jackson.databind.MappingJsonFactory\n",
            "module-info.class": b"\xca\xfe\xba\xbe",
        },
    )
    return [core, databind]


def test_relocated_jar_renames_entries_services_and_keeps_licences(
    two_jars: list[Path], tmp_path: Path
) -> None:
    target = tmp_path / "relocated.jar"
    jars.relocate_jars(two_jars, target)
    with zipfile.ZipFile(target) as jar:
        assert jar.namelist() == [
            "META-INF/MANIFEST.MF",  # first, as a JarInputStream expects
            "META-INF/jackson-core-2.18.8/LICENSE",
            "META-INF/jackson-databind-2.18.8/LICENSE",
            "META-INF/services/org.apache.iceberg.shaded.com.fasterxml.jackson.core.JsonFactory",
            f"META-INF/versions/17/{SHADED}/core/io/Swar.class",
            f"{SHADED}/core/JsonGenerator.class",
            f"{SHADED}/core/json/VERSION.txt",
        ]
        assert {info.compress_type for info in jar.infolist()} == {zipfile.ZIP_STORED}
        assert b"Multi-Release: true" in jar.read("META-INF/MANIFEST.MF")
        assert jar.read(f"{SHADED}/core/JsonGenerator.class") == class_file(*RELOCATED)
        assert jar.read(f"META-INF/versions/17/{SHADED}/core/io/Swar.class") == class_file(
            *RELOCATED
        )
        assert jar.read(f"{SHADED}/core/json/VERSION.txt") == b"2.18.8"
        assert jar.read("META-INF/jackson-databind-2.18.8/LICENSE") == b"databind licence"
        assert jar.read(jar.namelist()[3]).decode().split() == [
            "org.apache.iceberg.shaded.com.fasterxml.jackson.core.JsonFactory",
            "org.apache.iceberg.shaded.com.fasterxml.jackson.databind.MappingJsonFactory",
        ]


def test_relocated_jar_bytes_depend_only_on_the_inputs(
    two_jars: list[Path], tmp_path: Path
) -> None:
    jars.relocate_jars(two_jars, tmp_path / "first.jar")
    jars.relocate_jars(two_jars, tmp_path / "second.jar")
    assert (tmp_path / "first.jar").read_bytes() == (tmp_path / "second.jar").read_bytes()


def test_a_class_in_two_jars_is_refused(two_jars: list[Path], tmp_path: Path) -> None:
    again = make_jar(
        tmp_path / "again.jar", {"com/fasterxml/jackson/core/JsonGenerator.class": GENERATOR}
    )
    with pytest.raises(ValueError, match=r"JsonGenerator\.class is in two of the jars"):
        jars.relocate_jars([*two_jars, again], tmp_path / "relocated.jar")


def test_an_output_is_kept_when_its_hash_is_right_and_never_left_half_written(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out" / "a.jar"
    digest = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"  # sha256("a")
    assert jars._write_once(target, digest, lambda path: path.write_bytes(b"a")) == target
    assert jars._write_once(target, digest, lambda path: 1 / 0) == target  # not written again
    target.write_bytes(b"tampered")
    with pytest.raises(ValueError, match="came out with SHA-256"):
        jars._write_once(target, digest, lambda path: path.write_bytes(b"b"))
    assert target.read_bytes() == b"tampered"
    assert [path.name for path in target.parent.iterdir()] == ["a.jar"]  # no temporary left


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('java version "1.8.0_402"', 8),
        ('openjdk version "21" 2023-09-19', 21),
    ],
)
def test_java_major_version(output: str, major: int) -> None:
    assert parse_major(output) == major


def test_smoke_check_expects_scd2_history_of_each_build() -> None:
    second = step_vars(2)
    assert second["customers"] == [[1, "amber"], [2, "beryl-2"], [4, "diamond"]]
    assert second["expected_snapshot"] == [
        [1, "amber", False, 1, None],
        [2, "beryl", False, 1, 2],
        [2, "beryl-2", False, 2, None],
        [3, "coral", False, 1, 2],
        [3, "coral", True, 2, None],  # closed only by the third build
        [4, "diamond", False, 2, None],
    ]
    assert second["expected_merged"] == [
        [1, "amber", 2],
        [2, "beryl-2", 2],
        [3, "coral", 1],
        [4, "diamond", 2],
    ]


# ------------------------------------------------------------ the real jars


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    try:
        jars.installed_jar(jars.JACKSON[0])
    except FileNotFoundError as missing:
        pytest.skip(f"Spark dependencies not installed: {missing}")
    return jars.assemble(tmp_path_factory.mktemp("spark-jars"))


def test_real_relocated_jar_holds_the_jackson_iceberg_refers_to(
    assembled: tuple[Path, Path],
) -> None:
    runtime, relocated = assembled
    assert jars.sha256_of(relocated) == jars.RELOCATED_SHA256
    with zipfile.ZipFile(relocated) as jar:
        names = set(jar.namelist())
    assert not [name for name in names if name.startswith("com/fasterxml/jackson/")]
    assert f"{SHADED}/core/JsonGenerator.class" in names
    # every shaded Jackson class named in the runtime's class files, but the Java-time module,
    # which only Arrow's ObjectMapperFactory names and no reachable wheel ships
    referenced: set[str] = set()
    pattern = re.compile(rb"org/apache/iceberg/shaded/com/fasterxml/jackson/[\w/$]+")
    with zipfile.ZipFile(runtime) as jar:
        for name in jar.namelist():
            if name.endswith(".class"):
                referenced |= {match.decode() for match in pattern.findall(jar.read(name))}
    missing = {name for name in referenced if f"{name}.class" not in names}
    assert len(referenced) > 50
    assert missing == {f"{SHADED}/datatype/jsr310/JavaTimeModule"}
