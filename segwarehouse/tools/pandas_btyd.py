"""The customer summary (orders, revenue, recency, buy-till-you-die, RFM) as an analyst writes
it in pandas.

The benchmark times it against the project and the tests use it as an oracle: it reads the raw
Parquet files and follows the project's documented rules without any of its SQL (latest order
version, status as known at the end of as_of, refunds of returns by then, USD at the seed
rates, BTYD on completed orders aggregated per day). Two styles:

  per_customer  the common notebook style: group, then a Python loop over the customers;
  vectorized    the best pandas can do: group-by aggregates only, no Python loop.

    python -m segwarehouse.tools.pandas_btyd --raw data/raw --as-of 2026-09-30 --style vectorized \\
        --out summary.parquet

prints {"seconds": ..., "customers": ...} (seconds of reading and computing, without the
interpreter start) and writes the summary keyed by the pseudonymous customer_key.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

FX = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}  # seeds/fx_rates.csv
STYLES = ("per_customer", "vectorized")


def orders_as_of(raw: Path, as_of: date) -> pd.DataFrame:
    """Orders placed by the end of as_of with their net USD value (0 when cancelled)."""
    end = pd.Timestamp(as_of + timedelta(days=1))
    orders = pd.read_parquet(raw / "orders.parquet")
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    orders["updated_at"] = pd.to_datetime(orders["updated_at"])
    orders = orders.sort_values(["order_id", "updated_at"]).groupby("order_id").tail(1)
    orders = orders[orders["ordered_at"] < end].copy()
    orders["status"] = orders["status"].where(orders["updated_at"] < end, "placed")
    returns = pd.read_parquet(raw / "returns.parquet")
    returns["returned_at"] = pd.to_datetime(returns["returned_at"])
    refunds = returns[returns["returned_at"] < end].groupby("order_id")["refund_amount"].sum()
    orders["refund"] = orders["order_id"].map(refunds).fillna(0.0)
    kept = orders["total_amount"] - orders["refund"].clip(upper=orders["total_amount"])
    orders["net"] = (kept * orders["currency"].map(FX)).where(orders["status"] != "cancelled", 0.0)
    orders["day"] = orders["ordered_at"].dt.normalize()
    return orders


def summary(orders: pd.DataFrame, as_of: date, style: str) -> pd.DataFrame:
    """Per customer_id: order_count, net_revenue_usd, purchase_count and recency_days (orders
    not cancelled), btyd_* (null without a completed order), and 1-5 RFM quintile scores over
    the customers with a purchase (1 + floor(5 * percent_rank), ties share the lower score)."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    as_of_ts = pd.Timestamp(as_of)
    totals = orders.groupby("customer_id").agg(
        order_count=("order_id", "count"), net_revenue_usd=("net", "sum")
    )
    purchases = orders[orders["status"] != "cancelled"].groupby("customer_id")["day"]
    totals["purchase_count"] = purchases.size().reindex(totals.index).fillna(0).astype(int)
    totals["recency_days"] = (as_of_ts - purchases.max()).dt.days
    buyers = totals[totals["purchase_count"] > 0]
    for column, score, ascending in (
        ("recency_days", "recency_score", False),
        ("purchase_count", "frequency_score", True),
        ("net_revenue_usd", "monetary_score", True),
    ):
        rank = buyers[column].rank(method="min", ascending=ascending) - 1
        quintile = (5 * rank / max(len(buyers) - 1, 1)).astype(int) + 1
        totals[score] = quintile.clip(upper=5).reindex(totals.index)

    done = orders[orders["status"] == "completed"]
    daily = done.groupby(["customer_id", "day"], as_index=False)["net"].sum()
    if style == "per_customer":
        rows = []
        for customer_id, days in daily.groupby("customer_id"):
            days = days.sort_values("day")
            first, last = days["day"].iloc[0], days["day"].iloc[-1]
            frequency = len(days) - 1
            rows.append(
                {
                    "customer_id": customer_id,
                    "btyd_frequency": frequency,
                    "btyd_recency": (last - first).days,
                    "btyd_t": (as_of_ts - first).days,
                    "btyd_monetary": days["net"].iloc[1:].mean() if frequency else 0.0,
                }
            )
        columns = ["customer_id", "btyd_frequency", "btyd_recency", "btyd_t", "btyd_monetary"]
        btyd = pd.DataFrame(rows, columns=columns).set_index("customer_id")
    else:
        daily = daily.sort_values(["customer_id", "day"])
        daily["n"] = daily.groupby("customer_id").cumcount()
        days = daily.groupby("customer_id")["day"]
        btyd = pd.DataFrame(
            {
                "btyd_frequency": days.size() - 1,
                "btyd_recency": (days.max() - days.min()).dt.days,
                "btyd_t": (as_of_ts - days.min()).dt.days,
            }
        )
        repeat = daily[daily["n"] > 0].groupby("customer_id")["net"].mean()
        btyd["btyd_monetary"] = repeat.reindex(btyd.index).fillna(0.0)
    return totals.join(btyd, how="left")


def pseudonymize(ids: pd.Series, key: bytes) -> pd.Series:
    """The customer key of each customer id, as the project's pseudonymize macro."""
    from segwarehouse.dbt_plugin import pseudonym

    return ids.map(lambda value: pseudonym("customer_id", value, key))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--style", choices=STYLES, default="vectorized")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from segwarehouse.dbt_plugin import resolve_key

    started = time.perf_counter()
    result = summary(orders_as_of(args.raw, args.as_of), args.as_of, args.style)
    seconds = time.perf_counter() - started
    result = result.reset_index()
    result["customer_key"] = pseudonymize(result["customer_id"], resolve_key()[0])
    result.drop(columns=["customer_id"]).to_parquet(args.out)
    print(json.dumps({"seconds": round(seconds, 3), "customers": len(result)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
