"""Orders, the planted segment experiments, order items, returns, deletions and surveys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from segwarehouse.generate.model import (
    CAMPAIGN_SCHEDULE,
    CART,
    CHANNEL_P,
    CHANNELS,
    CONVERSION_WINDOW_DAYS,
    CURRENCIES,
    DISCOUNT_CODES,
    DISCOUNT_PCT,
    FIRST_NAMES,
    FX,
    GIFT_TEMPLATES,
    LAPSING,
    MIN_EXPOSURE_GAP,
    NEW,
    ONE_TIME,
    REPEAT,
    RETURN_REASONS,
    SEGMENT_NAMES,
    SEGMENTS,
    STATUSES,
    STYLES,
    VIP,
    Consent,
    Customers,
    Products,
    World,
    _pick,
    consent_version,
)
from segwarehouse.generate.util import DAY, HOUR, fmt_ids, join_str, take_str, ts_text

WINDOW = CONVERSION_WINDOW_DAYS * DAY


# --- organic orders -----------------------------------------------------------------------------


def organic_orders(w: World, c: Customers) -> dict[str, np.ndarray]:
    """Order times / flags per customer type, before the experiments are planted."""
    rng = w.rng("orders")
    n = c.n
    t = c.ctype
    lo = np.maximum(w.start, c.signup + HOUR)
    hi = np.full(n, w.end - 1, dtype=np.int64)
    hi[t == LAPSING] = c.lapse_hi
    hi[t == CART] = w.end - 31 * DAY
    lo[t == NEW] = np.maximum(lo, w.end - 30 * DAY)[t == NEW]
    years = np.maximum(hi - lo, 0) / (365 * DAY)  # repeat buyers order at a steady rate
    count = np.zeros(n, dtype=np.int64)
    count[t == ONE_TIME] = 1
    count[t == REPEAT] = 2 + rng.poisson(2.0 * years)[t == REPEAT]
    count[t == VIP] = 3 + rng.poisson(5.0 * years)[t == VIP]
    count[t == LAPSING] = 1 + (rng.random(n) < 0.4)[t == LAPSING]
    count[t == NEW] = 1 + (rng.random(n) < 0.15)[t == NEW]
    count[t == CART] = (rng.random(n) < 0.5)[t == CART]
    count[hi <= lo] = 0
    cust = np.repeat(np.arange(n), count)
    tr = c.traits
    gift_p = np.where(tr["gift"], 0.65, np.where(tr["self_treat"], 0.03, 0.12))
    gift = rng.random(len(cust)) < gift_p[cust]
    times = np.empty(len(cust), dtype=np.int64)
    for curve, sel in (("normal", ~gift), ("gift", gift)):
        times[sel] = w.seasonal(rng, lo[cust[sel]], hi[cust[sel]], curve)
    starts = (np.cumsum(count) - count)[count > 0]
    hint = c.first_order[cust[starts]]
    times[starts] = np.where(
        hint >= 0, np.clip(hint, lo[cust[starts]], hi[cust[starts]]), times[starts]
    )
    same = rng.random(len(cust)) < 0.55
    channel = np.where(same, c.signup_channel[cust], _pick(rng, len(cust), CHANNEL_P))
    return {"cust": cust, "t": times, "gift": gift, "channel": channel, "keep": np.ones_like(gift)}


# --- planted experiments ------------------------------------------------------------------------


@dataclass
class Exposures:
    segment: np.ndarray
    campaign: np.ndarray
    cust: np.ndarray
    t: np.ndarray
    holdout: np.ndarray
    converted: np.ndarray
    version: pa.Array
    campaigns: list[dict]


def plant_experiments(w: World, c: Customers, k: Consent, orders: dict) -> tuple[Exposures, dict]:
    """Expose eligible customers per campaign and plant the conversion orders.

    Within 30 days after an exposure a customer orders exactly when planted (probability p0 in
    holdout, p0 + lift in treatment): organic orders falling in that window are moved after it.
    """
    rng = w.rng("experiments")
    n = c.n
    lo, hi = w.start + 14 * DAY, w.end - WINDOW - 8 * DAY
    starts = lo + (np.array([f for _, f in CAMPAIGN_SCHEDULE]) * max(hi - lo, 0)).astype(np.int64)
    starts = starts // DAY * DAY
    gaps = np.diff(starts)
    flight = int(max(DAY, min(7 * DAY, gaps.min() if len(gaps) else 7 * DAY)))
    last_exposed = np.full(n, -(2**62), dtype=np.int64)
    out = {key: [] for key in ("segment", "campaign", "cust", "t", "holdout", "converted")}
    conv = {key: [] for key in ("cust", "t", "segment")}
    campaigns = []
    ocust, ot, keep = orders["cust"], orders["t"], orders["keep"]
    for ci, (seg, _) in enumerate(CAMPAIGN_SCHEDULE):
        cfg = SEGMENTS[SEGMENT_NAMES[seg]]
        t0 = int(starts[ci])
        campaigns.append(
            {"campaign_id": f"CMP-{ci + 1:04d}", "segment_id": SEGMENT_NAMES[seg],
             "starts": str(np.datetime64(t0, "s")).replace("T", " ")}
        )  # fmt: skip
        if hi <= lo:
            continue
        if seg == 0:
            elig = c.traits["abandons"].copy()
        elif seg == 2:
            elig = c.traits["email_engaged"].copy()
        else:
            all_c = np.concatenate([ocust[keep], *conv["cust"]])
            all_t = np.concatenate([ot[keep], *conv["t"]])
            last = np.full(n, -1, dtype=np.int64)
            m = all_t <= t0 + flight
            np.maximum.at(last, all_c[m], all_t[m])
            elig = (last >= 0) & (last <= t0 - 180 * DAY) & (c.signup <= t0 - 180 * DAY)
        elig &= ~c.deletion & (c.signup <= t0 - 7 * DAY) & (last_exposed <= t0 - MIN_EXPOSURE_GAP)
        elig &= rng.random(n) < cfg["select"]
        cand = np.flatnonzero(elig)
        te = t0 + rng.integers(0, flight, len(cand))
        ok = k.valid(cfg["purpose"], cand, te)
        cand, te = cand[ok], te[ok]
        holdout = rng.random(len(cand)) < cfg["holdout_pct"]
        p = cfg["p0"] + np.where(holdout, 0.0, cfg["lift"])
        converted = rng.random(len(cand)) < p
        # move organic orders of the exposed customers out of their conversion window
        exp_t = np.full(n, -1, dtype=np.int64)
        exp_t[cand] = te
        e = exp_t[ocust]
        inwin = keep & (e >= 0) & (ot > e) & (ot <= e + WINDOW)
        idx = np.flatnonzero(inwin)
        ot[idx] = e[idx] + WINDOW + rng.integers(HOUR, 10 * DAY, len(idx))
        keep[idx[ot[idx] >= w.end]] = False
        ct = te[converted] + np.clip(
            (WINDOW * rng.beta(1.3, 2.5, int(converted.sum()))).astype(np.int64), HOUR, WINDOW - 60
        )
        conv["cust"].append(cand[converted])
        conv["t"].append(ct)
        conv["segment"].append(np.full(len(ct), seg))
        last_exposed[cand] = te
        for key, val in (
            ("segment", np.full(len(cand), seg)),
            ("campaign", np.full(len(cand), ci)),
            ("cust", cand),
            ("t", te),
            ("holdout", holdout),
            ("converted", converted),
        ):
            out[key].append(val)
    ex = {key: np.concatenate(v) if v else np.zeros(0, np.int64) for key, v in out.items()}
    version = pa.array(np.full(len(ex["cust"]), "", dtype=object), pa.string())
    if len(ex["cust"]):
        parts = []
        for seg in range(len(SEGMENT_NAMES)):
            sel = ex["segment"] == seg
            purpose = SEGMENTS[SEGMENT_NAMES[seg]]["purpose"]
            grant = k.last_grant(purpose, ex["cust"][sel], ex["t"][sel])
            parts.append((np.flatnonzero(sel), consent_version(c.region[ex["cust"][sel]], grant)))
        pos = np.concatenate([p for p, _ in parts])
        version = pa.concat_arrays([v for _, v in parts]).take(pa.array(np.argsort(pos)))
    exposures = Exposures(
        ex["segment"], ex["campaign"], ex["cust"], ex["t"], ex["holdout"].astype(bool),
        ex["converted"].astype(bool), version, campaigns,
    )  # fmt: skip
    crng = w.rng("conversion_orders")
    cc = np.concatenate([np.zeros(0, np.int64), *conv["cust"]])
    n_conv = len(cc)
    gift_p = np.where(c.traits["gift"], 0.65, 0.08)
    merged = {
        "cust": np.concatenate([ocust[keep], cc]),
        "t": np.concatenate([ot[keep], *conv["t"]]),
        "gift": np.concatenate([orders["gift"][keep], crng.random(n_conv) < gift_p[cc]]),
        "channel": np.concatenate(
            [orders["channel"][keep], _pick(crng, n_conv, [0.55, 0.35, 0.10, 0.0])]
        ),
        "conv": np.concatenate([np.full(int(keep.sum()), -1), *conv["segment"]]),
    }
    return exposures, merged


def ground_truth(exposures: Exposures) -> dict:
    segs = {}
    for seg, name in enumerate(SEGMENT_NAMES):
        cfg = SEGMENTS[name]
        sel = exposures.segment == seg
        arms = {}
        for arm, mask in (
            ("treatment", sel & ~exposures.holdout),
            ("holdout", sel & exposures.holdout),
        ):
            k = int(mask.sum())
            conv = int(exposures.converted[mask].sum())
            arms[arm] = {
                "exposures": k,
                "converted": conv,
                "observed_conversion": round(conv / k, 4) if k else None,
            }
        segs[name] = {
            "holdout_pct": cfg["holdout_pct"],
            "baseline_conversion": cfg["p0"],
            "true_absolute_lift": cfg["lift"],
            "treatment_conversion": round(cfg["p0"] + cfg["lift"], 4),
            "window_days": CONVERSION_WINDOW_DAYS,
            "consent_purpose": ("analytics", "personalization", "marketing_email")[cfg["purpose"]],
            "campaigns": [x["campaign_id"] for x in exposures.campaigns if x["segment_id"] == name],
            "exposures_planted": {a: arms[a]["exposures"] for a in arms},
            "arms": arms,
        }
    return segs


# --- final orders, items, returns ---------------------------------------------------------------


@dataclass
class Orders:
    m: int
    ids: pa.Array
    cust: np.ndarray
    t: np.ndarray
    channel: np.ndarray
    gift: np.ndarray
    status: np.ndarray
    updated: np.ndarray
    first_item: np.ndarray  # index of the first item row of each order
    item_order: np.ndarray
    item_product: np.ndarray
    orders_table: pa.Table
    items_table: pa.Table
    returns_table: pa.Table


def finalize_orders(w: World, c: Customers, prods: Products, drafts: dict) -> Orders:
    rng = w.rng("order_details")
    order = np.lexsort((drafts["cust"], drafts["t"]))
    cust, t = drafts["cust"][order], drafts["t"][order]
    gift, channel, conv = drafts["gift"][order], drafts["channel"][order], drafts["conv"][order]
    m = len(cust)
    ids = fmt_ids("O", np.arange(1, m + 1), max(8, len(str(m))))
    tr = c.traits
    cur = c.currency[cust]

    # items
    vip = c.ctype[cust] == VIP
    n_items = np.where(
        vip, _pick(rng, m, [0.4, 0.3, 0.2, 0.1]), _pick(rng, m, [0.6, 0.25, 0.1, 0.05])
    )
    n_items += 1
    item_order = np.repeat(np.arange(m), n_items)
    first_item = np.cumsum(n_items) - n_items
    ic = cust[item_order]
    prod = prods.for_customers(rng, tr["bridal"][ic], tr["artisan"][ic], vip[item_order])
    prod = prods.launched_by(rng, prod, t[item_order])
    single = (prods.category[prod] == 4) | prods.bridal[prod]
    qty = np.where(single, 1, _pick(rng, len(prod), [0.92, 0.06, 0.02]) + 1).astype(np.int32)
    unit = np.round(prods.price[prod] * FX[cur[item_order]], 2)
    sale = rng.random(len(prod)) < 0.08
    line_disc = np.where(sale, np.round(qty * unit * 0.15, 2), 0.0)
    line = np.round(qty * unit - line_disc, 2)
    subtotal = np.round(np.add.reduceat(line, first_item), 2) if m else np.zeros(0)

    code_p = np.where(tr["discount"][cust], 0.75, 0.08)
    has_code = rng.random(m) < code_p
    code = np.where(has_code, rng.integers(0, len(DISCOUNT_CODES), m), -1)
    disc = np.where(has_code, np.round(subtotal * DISCOUNT_PCT[np.maximum(code, 0)], 2), 0.0)
    ship = np.where((channel == 2) | (subtotal - disc >= 150), 0.0, 9.95)
    tax = np.round((subtotal - disc) * c.tax_rate[cust], 2)
    total = np.round(subtotal - disc + ship + tax, 2)

    # life cycle
    store = channel == 2
    ship_t = np.where(store, t, t + rng.integers(12 * HOUR, 3 * DAY, m))
    deliver_t = np.where(
        store, t + rng.integers(60, 600, m), ship_t + rng.integers(DAY, 6 * DAY, m)
    )
    cancel_t = t + rng.integers(600, DAY, m)
    cancel = (rng.random(m) < 0.05) & (conv < 0) & (cancel_t < w.end)
    ret_p = np.where(tr["high_return"][cust], 0.4, np.where(gift, 0.10, 0.07))
    returned_at = deliver_t + rng.integers(2 * DAY, 28 * DAY, m)
    ret = ~cancel & (conv < 0) & (rng.random(m) < ret_p) & (returned_at < w.end)
    status = np.select(
        [cancel, ship_t >= w.end, deliver_t >= w.end, ret],
        [3, 0, 1, 4],
        2,
    )
    updated = np.choose(status, [t, ship_t, deliver_t, cancel_t, returned_at])

    # gift messages (fake, with first names)
    msg = gift & (rng.random(m) < 0.55)
    month = t.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (
        t.astype("datetime64[s]").astype("datetime64[D]")
        - t.astype("datetime64[s]").astype("datetime64[M]")
    ).astype(np.int64) + 1
    tpl = rng.integers(0, 5, m)
    tpl = np.where(month == 12, 5, tpl)
    tpl = np.where((month == 2) & (day <= 14), 6, tpl)
    tpl = np.where((month == 5) & (rng.random(m) < 0.6), 7, tpl)
    tpl = np.where(msg, tpl, -1)
    name = take_str(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), m))
    pre = take_str(tuple(p for p, _ in GIFT_TEMPLATES), tpl)
    post = take_str(tuple(s for _, s in GIFT_TEMPLATES), tpl)
    message = join_str(pre, name, post)

    # a few orders also appear in an earlier version (placed, or completed before the return)
    ver = np.flatnonzero((rng.random(m) < 0.015) & (status != 0) & (updated - t > HOUR))
    ver_status = np.where(status[ver] == 4, 2, 0)
    ver_updated = np.where(status[ver] == 4, deliver_t[ver], t[ver])
    rows = np.concatenate([ver, np.arange(m)])
    is_final = np.concatenate([np.zeros(len(ver), bool), np.ones(m, bool)])
    srt = np.lexsort((is_final, rows))
    rows, is_final = rows[srt], is_final[srt]
    row_status = np.concatenate([ver_status, status])[srt]
    row_updated = np.concatenate([ver_updated, updated])[srt]
    ind = pa.array(rows)
    orders_table = pa.table(
        {
            "order_id": ids.take(ind),
            "customer_id": c.ids.take(pa.array(cust[rows])),
            "ordered_at": ts_text(t[rows]),
            "channel": take_str(CHANNELS, channel[rows]),
            "status": take_str(STATUSES, row_status),
            "currency": take_str(CURRENCIES, cur[rows]),
            "subtotal_amount": pa.array(subtotal[rows]),
            "discount_amount": pa.array(disc[rows]),
            "shipping_amount": pa.array(ship[rows]),
            "tax_amount": pa.array(tax[rows]),
            "total_amount": pa.array(total[rows]),
            "discount_code": take_str(DISCOUNT_CODES, code[rows]),
            "is_gift": pa.array(gift[rows]),
            "gift_message": message.take(ind),
            "updated_at": ts_text(row_updated),
        }
    )
    n_items_total = len(prod)
    item_ids = fmt_ids("OI", np.arange(1, n_items_total + 1), max(9, len(str(n_items_total))))
    items_table = pa.table(
        {
            "order_item_id": item_ids,
            "order_id": ids.take(pa.array(item_order)),
            "product_id": prods.ids.take(pa.array(prod)),
            "quantity": pa.array(qty),
            "unit_price": pa.array(unit),
            "discount_amount": pa.array(line_disc),
            "line_amount": pa.array(line),
        }
    )

    # returns: every line of most returned orders, the first line of the others
    whole = rng.random(m) < 0.7
    pos = np.arange(n_items_total) - first_item[item_order]
    r_items = np.flatnonzero((status[item_order] == 4) & (whole[item_order] | (pos == 0)))
    ro = item_order[r_items]
    share = np.where(subtotal[ro] > 0, 1 - disc[ro] / np.maximum(subtotal[ro], 0.01), 1.0)
    refund = np.round(line[r_items] * share, 2)
    k = len(r_items)
    reason = _pick(rng, k, [0.3, 0.25, 0.1, 0.15, 0.05, 0.15])
    reason = np.where(gift[ro] & (rng.random(k) < 0.35), 4, reason)
    reason = np.where((reason == 4) & ~gift[ro], 1, reason)
    returns_table = pa.table(
        {
            "return_id": fmt_ids("R", np.arange(1, k + 1), max(8, len(str(k)))),
            "order_id": ids.take(pa.array(ro)),
            "order_item_id": item_ids.take(pa.array(r_items)),
            "returned_at": ts_text(returned_at[ro]),
            "quantity": pa.array(qty[r_items]),
            "refund_amount": pa.array(refund),
            "reason": take_str(RETURN_REASONS, reason),
        }
    )
    return Orders(
        m, ids, cust, t, channel, gift, status, updated, first_item, item_order, prod,
        orders_table, items_table, returns_table,
    )  # fmt: skip


# --- privacy requests and surveys ---------------------------------------------------------------


def deletion_table(w: World, c: Customers, o: Orders) -> pa.Table:
    rng = w.rng("deletions")
    who = np.flatnonzero(c.deletion)
    last = c.signup.copy()
    np.maximum.at(last, o.cust, o.updated)
    lo = np.maximum(np.maximum(last[who], w.start) + HOUR, c.signup[who] + HOUR)
    hi = np.full(len(who), w.end - HOUR)
    lo = np.minimum(lo, hi)
    req = lo + (rng.random(len(who)) * (hi - lo)).astype(np.int64)
    ver = req + rng.integers(600, 7 * DAY, len(who))
    unverified = (rng.random(len(who)) < 0.1) | (ver >= w.end)
    if len(who) >= 5 and not unverified.any():  # always a few never verified
        unverified[rng.integers(0, len(who))] = True
    order = np.argsort(req, kind="stable")
    who, req, ver, unverified = who[order], req[order], ver[order], unverified[order]
    return pa.table(
        {
            "request_id": fmt_ids("DR", np.arange(1, len(who) + 1), 6),
            "customer_id": c.ids.take(pa.array(who)),
            "request_channel": take_str(
                ("web_form", "email", "support"), _pick(rng, len(who), [0.6, 0.25, 0.15])
            ),
            "requested_at": ts_text(req),
            "verified_at": ts_text(ver, null_mask=unverified),
        }
    )


def survey_table(w: World, c: Customers, prods: Products, o: Orders) -> pa.Table:
    """Post-purchase answers about one of the respondent's orders, exit-intent answers else."""
    rng = w.rng("surveys")
    n = c.n
    who = np.flatnonzero(rng.random(n) < 0.15)
    k = len(who)
    # one random order per respondent (if any)
    count = np.bincount(o.cust, minlength=n)
    by_cust = np.argsort(o.cust, kind="stable")
    first = np.cumsum(count) - count
    has = count[who] > 0
    pos = first[who] + (rng.random(k) * np.maximum(count[who], 1)).astype(np.int64)
    oi = np.where(has, by_cust[np.minimum(pos, max(o.m - 1, 0))] if o.m else 0, 0)
    ot = o.t[oi] if o.m else np.zeros(k, np.int64)
    post = has & (rng.random(k) < 0.85) & (ot < w.end - 4 * DAY)
    span = np.maximum(np.minimum(14 * DAY, w.end - 60 - ot) - HOUR, 1)
    post_t = ot + HOUR + (rng.random(k) * span).astype(np.int64)
    lo = np.maximum(w.start, c.signup[who] + HOUR)
    hi = np.maximum(lo, w.end - HOUR)
    exit_t = lo + (rng.random(k) * (hi - lo)).astype(np.int64)
    resp = np.where(post, post_t, exit_t)
    tr = c.traits
    order_gift = o.gift[oi] if o.m else np.zeros(k, bool)
    gift_ctx = np.where(post, order_gift, tr["gift"][who])
    occasion = np.where(gift_ctx, rng.random(k) < 0.9, rng.random(k) < 0.15)
    style = _pick(rng, k, [0.4, 0.15, 0.3, 0.15])
    if o.m:
        bought = prods.style[o.item_product[o.first_item[oi]]]
        style = np.where(post & (rng.random(k) < 0.7), bought, style)
    style = np.where(tr["artisan"][who] & (rng.random(k) < 0.75), 1, style)
    value = _pick(rng, k, [0.2, 0.2, 0.25, 0.15, 0.2])
    value = np.where(tr["artisan"][who] & (rng.random(k) < 0.6), 1, value)
    value = np.where(tr["discount"][who] & (rng.random(k) < 0.7), 2, value)
    order = np.lexsort((who, resp))
    who, resp, post, oi = who[order], resp[order], post[order], oi[order]
    occasion, style, value = occasion[order], style[order], value[order]
    order_id = o.ids.take(pa.array(oi)) if o.m else pa.nulls(k, pa.string())
    return pa.table(
        {
            "response_id": fmt_ids("SR", np.arange(1, k + 1), 7),
            "customer_id": c.ids.take(pa.array(who)),
            "order_id": pc.if_else(pa.array(post), order_id, pa.scalar(None, pa.string())),
            "survey_type": take_str(("post_purchase", "exit_intent"), np.where(post, 0, 1)),
            "purchase_occasion": take_str(("self", "gift"), occasion.astype(np.int64)),
            "style_preference": take_str(STYLES, style),
            "value_priority": take_str(
                ("sustainability", "craftsmanship", "price", "ethical_sourcing", "brand"), value
            ),
            "responded_at": ts_text(resp),
        }
    )
