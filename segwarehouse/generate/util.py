"""Low-level helpers of the demo-data generator: ids, time, sampling, Parquet, defects.

Everything here is vectorized (numpy / pyarrow); nothing loops over rows in Python.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DAY = 86_400
HOUR = 3_600
NEVER = np.int64(2**62)  # "no such time" sentinel for int64 second arrays
US = 1_000_000  # microseconds per second

PURPOSES = ("analytics", "personalization", "marketing_email", "sale_sharing")

JUNK_IDS = (None, "", "null", "unknown", "N/A", "0", "-1", "anonymous")
BAD_TIMESTAMP_TEXTS = ("not a date", "2025-13-45 10:00:00", "31/02/2025", "")
MALFORMED_EMAILS = ("anna.smith@", "no-at-sign.example.com", "x@@y", "  ")
FUTURE_LO = (date(2091, 1, 1) - date(1970, 1, 1)).days * DAY
FUTURE_HI = (date(2099, 12, 31) - date(1970, 1, 1)).days * DAY

PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1_000_000,
    "data_page_version": "1.0",
    "version": "2.6",
}


def epoch_seconds(d: date) -> int:
    """Seconds since 1970-01-01 UTC of midnight of ``d``."""
    return (d - date(1970, 1, 1)).days * DAY


def child_rng(seed: int, name: str) -> np.random.Generator:
    """An independent generator per named stage (stable whatever the call order)."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),))
    )


# ----------------------------------------------------------------------------------------------
# strings
# ----------------------------------------------------------------------------------------------


def strings_from_matrix(mat: np.ndarray) -> pa.Array:
    """A string array from an (n, w) uint8 matrix of ASCII codes (each row one value)."""
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, w = mat.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
    if offsets[-1] < 2**31:
        return pa.Array.from_buffers(
            pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(mat)]
        )
    big = pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat)]
    )
    return big.cast(pa.string())


def fmt_ids(prefix: str, nums: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded decimal ``nums`` (e.g. 'C0000042'), without per-row Python."""
    nums = np.asarray(nums, dtype=np.int64).copy()
    p = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat = np.empty((len(nums), len(p) + width), dtype=np.uint8)
    mat[:, : len(p)] = p
    for k in range(width - 1, -1, -1):
        mat[:, len(p) + k] = nums % 10 + 48
        nums //= 10
    return strings_from_matrix(mat)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(prefix: str, values: np.ndarray) -> pa.Array:
    """``prefix`` + 16 lowercase hex digits of uint64 ``values``."""
    b = np.asarray(values, dtype=np.uint64).astype(">u8").view(np.uint8).reshape(-1, 8)
    p = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat = np.empty((len(b), len(p) + 16), dtype=np.uint8)
    mat[:, : len(p)] = p
    mat[:, len(p) :: 2] = _HEX[b >> 4]
    mat[:, len(p) + 1 :: 2] = _HEX[b & 15]
    return strings_from_matrix(mat)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A bijective 64-bit mix (distinct inputs give distinct outputs)."""
    z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def take_str(values: list[str] | tuple[str, ...], idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as a string array; negative indices give null."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    ind = pa.array(np.where(mask, 0, idx), mask=mask if mask.any() else None)
    return pc.take(pa.array(list(values), pa.string()), ind)


def join_str(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays / scalars."""
    return pc.binary_join_element_wise(*parts, "")


def ts_text(seconds: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' text of UTC epoch seconds (null where ``null_mask``)."""
    arr = pa.array(np.asarray(seconds, dtype=np.int64), type=pa.timestamp("s"), mask=null_mask)
    return pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")


def years_of(seconds: np.ndarray) -> np.ndarray:
    """Calendar year of epoch seconds."""
    return (
        np.asarray(seconds, dtype="int64")
        .astype("datetime64[s]")
        .astype("datetime64[Y]")
        .astype(np.int64)
        + 1970
    )


# ----------------------------------------------------------------------------------------------
# time sampling
# ----------------------------------------------------------------------------------------------

_HOUR_WEIGHTS = np.array(
    [
        *(0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1),  # 00-11 h UTC
        *(1.2, 1.1, 1.0, 1.0, 1.1, 1.2, 1.4, 1.6, 1.7, 1.5, 1.0, 0.6),  # 12-23 h UTC
    ]
)
_HOUR_P = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into the day, busier in the afternoon and evening."""
    return rng.choice(24, size=n, p=_HOUR_P).astype(np.int64) * HOUR + rng.integers(0, HOUR, n)


def mothers_day(year: int) -> date:
    """Second Sunday of May (US Mother's Day)."""
    first = date(year, 5, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


class SeasonSampler:
    """Draws days of the window from a seasonal weight curve, truncated per draw."""

    def __init__(self, start: date, days: int):
        self.start = start
        self.days = days
        dates = [start + timedelta(days=i) for i in range(days)]
        normal = np.ones(days)
        gift = np.ones(days)
        for i, d in enumerate(dates):
            if d.weekday() >= 5:
                normal[i] *= 1.1
            if (d.month == 11 and d.day >= 20) or (d.month == 12 and d.day <= 23):
                ramp = (d - date(d.year, 11, 20)).days / 34
                normal[i] *= 1.6 + 1.2 * ramp
                gift[i] *= 2.5 + 4.0 * ramp
            if date(d.year, 2, 1) <= d <= date(d.year, 2, 14):
                normal[i] *= 1.8
                gift[i] *= 5.0
            md = mothers_day(d.year)
            if md - timedelta(days=10) <= d <= md:
                normal[i] *= 1.6
                gift[i] *= 4.0
        self.cdf = {
            "normal": np.concatenate([[0.0], np.cumsum(normal)]),
            "gift": np.concatenate([[0.0], np.cumsum(gift)]),
        }

    def days_between(
        self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, curve: str = "normal"
    ) -> np.ndarray:
        """One day index per draw in [lo, hi] (inclusive, clipped to the window)."""
        cdf = self.cdf[curve]
        lo = np.clip(lo, 0, self.days - 1)
        hi = np.clip(hi, lo, self.days - 1)
        a, b = cdf[lo], cdf[hi + 1]
        u = a + rng.random(len(lo)) * (b - a)
        d = np.searchsorted(cdf, u, side="right") - 1
        return np.clip(d, lo, hi)


def seasonal_times(
    rng: np.random.Generator,
    sampler: SeasonSampler,
    window_start: int,
    lo: np.ndarray,
    hi: np.ndarray,
    curve: str = "normal",
) -> np.ndarray:
    """Epoch seconds in [lo, hi] following the seasonal curve (lo <= hi required)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    d = sampler.days_between(rng, (lo - window_start) // DAY, (hi - window_start) // DAY, curve)
    t = window_start + d * DAY + time_of_day(rng, len(lo))
    return np.clip(t, lo, hi)


def uniform_times(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Epoch seconds uniform in [lo, hi]."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0)
    return lo + (rng.random(len(lo)) * span).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Parquet
# ----------------------------------------------------------------------------------------------


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write with fixed settings (same table -> same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **PARQUET_OPTIONS)


DELIVERY_FOLDER = "delivered_date={day}"


def move_deliveries(
    source: Path, target: Path, after: date | None = None, through: date | None = None
) -> list[Path]:
    """Move the delivery folders of ``source`` dated in (after, through] into ``target`` (a
    delivery that has not landed yet, or that lands now); return the moved folders' new paths."""
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for folder in sorted(source.glob(DELIVERY_FOLDER.format(day="*"))):
        day = date.fromisoformat(folder.name.split("=", 1)[1])
        if (after is None or day > after) and (through is None or day <= through):
            moved.append(folder.rename(target / folder.name))
    return moved


class DailyDeliveries:
    """Writes a table as the daily files a collector delivers: one file per UTC day of
    ``day_column`` under ``<folder>/delivered_date=YYYY-MM-DD/part-00000.parquet`` (the Hive
    layout the staging reads incrementally), appended chunk by chunk as row groups so memory
    stays bounded. Same chunks in the same order -> same bytes."""

    def __init__(self, folder: Path, day_column: str):
        self.folder = folder
        self.day_column = day_column
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, table: pa.Table) -> None:
        column = table.column(self.day_column)
        if column.null_count:
            raise ValueError(f"{self.folder.name}: {self.day_column} is null, no delivery day")
        micros = column.cast(pa.int64()).to_numpy(zero_copy_only=False)
        days = micros // 86_400_000_000
        order = np.argsort(days, kind="stable")
        table, days = table.take(pa.array(order)), days[order]
        bounds = np.flatnonzero(np.diff(days)) + 1
        for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(days)], strict=True):
            if stop <= start:
                continue
            day = (date(1970, 1, 1) + timedelta(days=int(days[start]))).isoformat()
            writer = self.writers.get(day)
            if writer is None:
                path = self.folder / DELIVERY_FOLDER.format(day=day) / "part-00000.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                options = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}
                writer = self.writers[day] = pq.ParquetWriter(path, table.schema, **options)
            writer.write_table(table.slice(start, stop - start))

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()


# ----------------------------------------------------------------------------------------------
# defects
# ----------------------------------------------------------------------------------------------


class Defects:
    """Injects data-quality defects into tables and counts them per (table, kind)."""

    def __init__(self, rate: float, rng: np.random.Generator):
        self.rate = rate
        self.rng = rng
        self.counts: dict[str, dict[str, int]] = {}

    def how_many(self, n_rows: int) -> int:
        if self.rate <= 0 or n_rows == 0:
            return 0
        k = int(np.floor(self.rate * n_rows + 0.5))
        if n_rows > 100:
            k = max(k, 1)
        return min(k, n_rows)

    def _count(self, table: str, kind: str, k: int) -> None:
        if k:
            per = self.counts.setdefault(table, {})
            per[kind] = per.get(kind, 0) + k

    def _rows(self, n: int, k: int, eligible: np.ndarray | None = None) -> np.ndarray:
        pool = np.arange(n) if eligible is None else np.flatnonzero(eligible)
        k = min(k, len(pool))
        return np.sort(self.rng.choice(pool, size=k, replace=False)) if k else pool[:0]

    @staticmethod
    def set_rows(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array) -> pa.Table:
        """Replace ``column`` at sorted unique ``rows`` by ``values``."""
        if len(rows) == 0:
            return table
        i = table.schema.get_field_index(column)
        col = table.column(i).combine_chunks()
        mask = np.zeros(len(col), dtype=bool)
        mask[rows] = True
        new = pc.replace_with_mask(col, pa.array(mask), values.cast(col.type))
        return table.set_column(i, table.schema.field(i), new)

    def _spread(self, table: pa.Table, columns: list[str], rows: np.ndarray, make) -> pa.Table:
        """Split ``rows`` randomly over ``columns`` and set ``make(k)`` values in each."""
        which = self.rng.integers(0, len(columns), len(rows))
        for j, column in enumerate(columns):
            sel = rows[which == j]
            table = self.set_rows(table, column, sel, make(len(sel)))
        return table

    def _choice(self, values: tuple, k: int) -> pa.Array:
        idx = self.rng.integers(0, len(values), k)
        return pa.array(list(values), pa.string()).take(pa.array(idx))

    # -- kinds ------------------------------------------------------------------------------

    def duplicates(self, table: pa.Table, name: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "duplicate", k)
        if not k:
            return table
        rows = np.sort(self.rng.integers(0, table.num_rows, k))
        return pa.concat_tables([table, table.take(pa.array(rows))])

    def junk_ids(
        self, table: pa.Table, name: str, columns: list[str], kind: str, only_set: bool = False
    ) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, kind, k)
        if not k:
            return table
        eligible = None
        if only_set:
            eligible = np.ones(table.num_rows, dtype=bool)
            for c in columns:
                eligible &= table.column(c).is_valid().to_numpy(zero_copy_only=False)
        rows = self._rows(table.num_rows, k, eligible)
        return self._spread(table, columns, rows, lambda m: self._choice(JUNK_IDS, m))

    def unknown_ids(self, table: pa.Table, name: str, column: str, prefix: str, suffix: str = ""):
        k = self.how_many(table.num_rows)
        self._count(name, "unknown_foreign_key", k)
        if not k:
            return table
        rows = self._rows(table.num_rows, k)
        nums = self.rng.integers(0, 1_000_000, k)
        return self.set_rows(table, column, rows, join_str(fmt_ids(prefix, nums, 6), suffix))

    def bad_amounts(self, table: pa.Table, name: str, columns: list[str]) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "negative_or_absurd_amount", k)
        if not k:
            return table
        rows = self._rows(table.num_rows, k)

        def make(m: int) -> pa.Array:
            neg = -self.rng.uniform(10, 500, m)
            absurd = self.rng.uniform(5e6, 1e9, m)
            return pa.array(np.round(np.where(self.rng.random(m) < 0.5, neg, absurd), 2))

        return self._spread(table, columns, rows, make)

    def bad_quantities(self, table: pa.Table, name: str, column: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "invalid_quantity", k)
        rows = self._rows(table.num_rows, k)
        vals = np.array([0, -1, -2, -5, 10_000])[self.rng.integers(0, 5, len(rows))]
        return self.set_rows(table, column, rows, pa.array(vals))

    def bad_text_timestamps(self, table: pa.Table, name: str, columns: list[str]) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "unparseable_timestamp", k)
        rows = self._rows(table.num_rows, k)
        return self._spread(table, columns, rows, lambda m: self._choice(BAD_TIMESTAMP_TEXTS, m))

    def future_text_timestamps(self, table: pa.Table, name: str, columns: list[str]) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "future_timestamp", k)
        rows = self._rows(table.num_rows, k)
        return self._spread(
            table, columns, rows, lambda m: ts_text(self.rng.integers(FUTURE_LO, FUTURE_HI, m))
        )

    def malformed_emails(self, table: pa.Table, name: str, column: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "malformed_email", k)
        rows = self._rows(table.num_rows, k)
        return self.set_rows(table, column, rows, self._choice(MALFORMED_EMAILS, len(rows)))

    def invalid_enum(self, table: pa.Table, name: str, column: str, value: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "invalid_enum", k)
        rows = self._rows(table.num_rows, k)
        return self.set_rows(table, column, rows, pa.array([value] * len(rows), pa.string()))

    def future_event_times(self, table: pa.Table, name: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "future_timestamp", k)
        rows = self._rows(table.num_rows, k)
        vals = self.rng.integers(FUTURE_LO, FUTURE_HI, len(rows)) * US
        return self.set_rows(table, "event_at", rows, pa.array(vals, pa.timestamp("us")))

    def event_after_received(self, table: pa.Table, name: str) -> pa.Table:
        k = self.how_many(table.num_rows)
        self._count(name, "event_after_received", k)
        rows = self._rows(table.num_rows, k)
        received = table.column("received_at").take(pa.array(rows)).cast(pa.int64()).to_numpy()
        shift = self.rng.integers(DAY, 5 * DAY, len(rows)) * US
        return self.set_rows(
            table, "event_at", rows, pa.array(received + shift, pa.timestamp("us"))
        )

    def conflicting_consents(self, table: pa.Table, name: str, next_id: int) -> pa.Table:
        """Second event for a (customer, purpose) at the same instant with the opposite status."""
        k = self.how_many(table.num_rows)
        self._count(name, "conflicting_same_instant", k)
        if not k:
            return table
        rows = self._rows(table.num_rows, k)
        extra = table.take(pa.array(rows))
        status = extra.column("status").combine_chunks()
        flipped = pc.if_else(pc.equal(status, "granted"), "withdrawn", "granted")
        extra = extra.set_column(extra.schema.get_field_index("status"), "status", flipped)
        ids = fmt_ids("CE", np.arange(next_id, next_id + k), 9)
        extra = extra.set_column(0, "consent_event_id", ids)
        return pa.concat_tables([table, extra])

    def summary(self) -> dict:
        """``{"bad_rate", "totals", <table>: {<kind>: rows}}`` (tables without defects left out)."""
        totals: dict[str, int] = {}
        for per in self.counts.values():
            for kind, k in per.items():
                totals[kind] = totals.get(kind, 0) + k
        tables = {t: dict(sorted(v.items())) for t, v in sorted(self.counts.items())}
        return {"bad_rate": self.rate, "totals": dict(sorted(totals.items())), **tables}
