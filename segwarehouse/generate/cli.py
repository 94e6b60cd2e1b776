"""Raw demo-data generator of the segmentation warehouse (see docs/raw-data-contract.md).

Writes the shop, tracking, privacy and survey tables of a fictitious jewellery retailer as
Parquet files into one folder, plus ``ground_truth.json`` (the planted segment experiments) and
``defects.json`` (the injected data-quality defects)::

    python -m segwarehouse.generate --customers 20000 --days 365 --seed 7 --bad-rate 0.01 \\
        --out data/raw

Same arguments give byte-identical files: all randomness comes from ``--seed`` (one independent
generator per stage and per event chunk), never from the wall clock. Events are written as the
collector delivers them: one file per day received,
``events/delivered_date=YYYY-MM-DD/part-00000.parquet``, filled chunk of customers by chunk of
customers (one row group each), so memory stays bounded at any scale and a daily run can load
only the new day's file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from segwarehouse.generate.events import EventContext, events_chunk
from segwarehouse.generate.model import (
    CONVERSION_WINDOW_DAYS,
    World,
    build_consent,
    build_customers,
    build_products,
    consent_table,
    customers_table,
)
from segwarehouse.generate.orders import (
    deletion_table,
    finalize_orders,
    ground_truth,
    organic_orders,
    plant_experiments,
    survey_table,
)
from segwarehouse.generate.util import DailyDeliveries, Defects, child_rng, write_parquet

TABLES = (
    "customers",
    "products",
    "orders",
    "order_items",
    "returns",
    "events",
    "consent_events",
    "deletion_requests",
    "survey_responses",
)
DEFAULT_END_DATE = date(2026, 9, 30)
CHUNK_CUSTOMERS = 40_000


def _clean_out(out: Path) -> None:
    """Remove what a previous run wrote (only the known table files and the JSON extras)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        (out / f"{name}.parquet").unlink(missing_ok=True)
        folder = out / name
        if folder.is_dir():
            shutil.rmtree(folder)
    for extra in ("ground_truth.json", "defects.json"):
        (out / extra).unlink(missing_ok=True)


def _inject(d: Defects, name: str, table: pa.Table, next_id: int = 0) -> pa.Table:
    """Apply the defect kinds that make sense for ``name`` (no-op at bad rate 0)."""
    if name == "customers":
        table = d.junk_ids(table, name, ["customer_id"], "junk_primary_key")
        table = d.malformed_emails(table, name, "email")
        table = d.bad_text_timestamps(table, name, ["signup_at", "updated_at"])
        table = d.future_text_timestamps(table, name, ["signup_at", "updated_at"])
    elif name == "products":
        table = d.junk_ids(table, name, ["product_id"], "junk_primary_key")
        table = d.bad_amounts(table, name, ["list_price"])
        table = d.bad_text_timestamps(table, name, ["launched_at"])
        table = d.future_text_timestamps(table, name, ["launched_at"])
    elif name == "orders":
        table = d.junk_ids(table, name, ["order_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["customer_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "customer_id", "C9999")
        table = d.bad_amounts(table, name, ["total_amount", "subtotal_amount"])
        table = d.bad_text_timestamps(table, name, ["ordered_at", "updated_at"])
        table = d.future_text_timestamps(table, name, ["ordered_at", "updated_at"])
        table = d.invalid_enum(table, name, "status", "UNKNOWN_STATUS")
    elif name == "order_items":
        table = d.junk_ids(table, name, ["order_item_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["order_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "order_id", "O99", "x")
        table = d.bad_amounts(table, name, ["unit_price", "line_amount"])
        table = d.bad_quantities(table, name, "quantity")
    elif name == "returns":
        table = d.junk_ids(table, name, ["return_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["order_id", "order_item_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "order_id", "O99", "x")
        table = d.bad_amounts(table, name, ["refund_amount"])
        table = d.bad_quantities(table, name, "quantity")
        table = d.bad_text_timestamps(table, name, ["returned_at"])
        table = d.future_text_timestamps(table, name, ["returned_at"])
    elif name == "events":
        table = d.junk_ids(table, name, ["event_id"], "junk_primary_key")
        table = d.junk_ids(
            table, name, ["customer_id", "anonymous_id"], "junk_foreign_key", only_set=True
        )
        table = d.unknown_ids(table, name, "customer_id", "C9999")
        table = d.invalid_enum(table, name, "event_type", "weird_event")
        table = d.future_event_times(table, name)
        table = d.event_after_received(table, name)
    elif name == "consent_events":
        table = d.conflicting_consents(table, name, next_id)
        table = d.junk_ids(table, name, ["consent_event_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["customer_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "customer_id", "C9999")
        table = d.invalid_enum(table, name, "purpose", "tracking??")
        table = d.bad_text_timestamps(table, name, ["recorded_at"])
        table = d.future_text_timestamps(table, name, ["recorded_at"])
    elif name == "deletion_requests":
        table = d.junk_ids(table, name, ["request_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["customer_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "customer_id", "C9999")
        table = d.bad_text_timestamps(table, name, ["requested_at"])
        table = d.future_text_timestamps(table, name, ["requested_at"])
    elif name == "survey_responses":
        table = d.junk_ids(table, name, ["response_id"], "junk_primary_key")
        table = d.junk_ids(table, name, ["customer_id"], "junk_foreign_key")
        table = d.unknown_ids(table, name, "customer_id", "C9999")
        table = d.bad_text_timestamps(table, name, ["responded_at"])
        table = d.future_text_timestamps(table, name, ["responded_at"])
    return d.duplicates(table, name)


def generate(
    customers: int = 20_000,
    days: int = 365,
    seed: int = 7,
    bad_rate: float = 0.0,
    out: Path = Path("data/raw"),
    end_date: date = DEFAULT_END_DATE,
    progress: bool = True,
) -> dict[str, int]:
    """Generate the raw tables into ``out``; return the number of rows written per table."""
    if customers < 1:
        raise ValueError("customers must be >= 1")
    if days < 1:
        raise ValueError("days must be >= 1")
    if not 0.0 <= bad_rate <= 0.5:
        raise ValueError("bad_rate must be in [0, 0.5]")
    out = Path(out)
    _clean_out(out)
    n_chunks = -(-customers // CHUNK_CUSTOMERS)
    bar = tqdm(
        total=9 + n_chunks,
        desc="generate",
        unit="step",
        file=sys.stderr,
        disable=not progress or not sys.stderr.isatty(),
    )
    w = World(customers, days, seed, end_date)
    defects = Defects(bad_rate, child_rng(seed, "defects"))
    counts: dict[str, int] = {}

    def emit(name: str, table: pa.Table, next_id: int = 0) -> None:
        table = _inject(defects, name, table, next_id)
        write_parquet(table, out / f"{name}.parquet")
        counts[name] = table.num_rows
        bar.set_postfix_str(name)
        bar.update()

    c = build_customers(w)
    emit("customers", customers_table(w, c))
    prods = build_products(w)
    emit("products", prods.table)
    consent = build_consent(w, c)
    ctable, next_consent_id = consent_table(c, consent)
    emit("consent_events", ctable, next_consent_id)
    del ctable
    exposures, drafts = plant_experiments(w, c, consent, organic_orders(w, c))
    orders = finalize_orders(w, c, prods, drafts)
    del drafts
    emit("orders", orders.orders_table)
    emit("order_items", orders.items_table)
    emit("returns", orders.returns_table)
    orders.orders_table = orders.items_table = orders.returns_table = None
    emit("deletion_requests", deletion_table(w, c, orders))
    emit("survey_responses", survey_table(w, c, prods, orders))

    ctx = EventContext.build(w, c, consent, prods, orders, exposures)
    n_events = n_sessions = 0
    deliveries = DailyDeliveries(out / "events", "received_at")
    for chunk in range(n_chunks):
        c0, c1 = chunk * CHUNK_CUSTOMERS, min(customers, (chunk + 1) * CHUNK_CUSTOMERS)
        table, k = events_chunk(ctx, chunk, c0, c1, n_events, n_sessions)
        n_sessions += k
        n_events += table.num_rows
        table = _inject(defects, "events", table)
        deliveries.write(table)
        counts["events"] = counts.get("events", 0) + table.num_rows
        bar.set_postfix_str(f"events {chunk + 1}/{n_chunks}")
        bar.update()
    deliveries.close()

    args = {
        "customers": customers,
        "days": days,
        "seed": seed,
        "bad_rate": bad_rate,
        "end_date": end_date.isoformat(),
        "window_start": str(w.sampler.start),
    }
    truth = {
        "generator": "segwarehouse.generate",
        "args": args,
        "conversion": (
            f"an exposed customer converts when they place any order (any status) with ordered_at "
            f"in (exposed_at, exposed_at + {CONVERSION_WINDOW_DAYS} days]; planted conversion "
            "orders are never cancelled or returned"
        ),
        "segments": ground_truth(exposures),
        "campaigns": exposures.campaigns,
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    summary = {"args": args, **defects.summary()}  # per table: {kind: rows}
    (out / "defects.json").write_text(json.dumps(summary, indent=2) + "\n")
    bar.update()
    bar.close()
    return {name: counts.get(name, 0) for name in TABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segwarehouse.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-rate", type=float, default=0.0, help="share of rows per defect kind")
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help="last day of the data (default %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    a = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(
        a.customers, a.days, a.seed, a.bad_rate, a.out, a.end_date, progress=not a.no_progress
    )
    elapsed = time.perf_counter() - started
    width = max(len(t) for t in counts)
    print(f"{'table':<{width}}  {'rows':>12}")
    for name, k in counts.items():
        print(f"{name:<{width}}  {k:>12,}")
    print(f"{'total':<{width}}  {sum(counts.values()):>12,}")
    print(f"wrote {a.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
