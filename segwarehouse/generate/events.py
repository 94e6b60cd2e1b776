"""Tracking events, built per chunk of customers (bounded memory at any scale)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from segwarehouse.generate.model import (
    BROWSER,
    CART,
    LAPSING,
    NEW,
    ONE_TIME,
    REPEAT,
    SEGMENT_NAMES,
    VIP,
    Consent,
    Customers,
    Products,
    World,
)
from segwarehouse.generate.orders import Exposures, Orders
from segwarehouse.generate.util import (
    DAY,
    HOUR,
    NEVER,
    US,
    fmt_ids,
    hex_ids,
    join_str,
    splitmix64,
    take_str,
)

EVENT_TYPES = (
    "page_view", "product_view", "add_to_cart", "checkout_started", "purchase",
    "email_open", "email_click", "login", "search", "segment_exposed",
)  # fmt: skip
PAGE, VIEW, CART_ADD, CHECKOUT, PURCHASE, OPEN, CLICK, LOGIN, SEARCH, EXPOSED = range(10)
SEARCHES = (
    "diamond ring", "gold necklace", "pearl earrings", "engagement ring", "tennis bracelet",
    "lab grown diamond", "vintage ring", "gift for her", "mens watch", "silver hoops",
    "sapphire pendant", "wedding band", "handmade earrings", "rose gold bracelet",
)  # fmt: skip
# browsing sessions per active year by customer type
SESSION_RATE = {BROWSER: 16, ONE_TIME: 11, REPEAT: 20, VIP: 26, LAPSING: 9, NEW: 0, CART: 17}
B_BROWSE, B_PURCHASE, B_CART, B_BRIDAL, B_ANON = range(5)
EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("anonymous_id", pa.string()),
        ("customer_id", pa.string()),
        ("session_id", pa.string()),
        ("event_type", pa.string()),
        ("platform", pa.string()),
        ("product_id", pa.string()),
        ("properties", pa.string()),
        ("event_at", pa.timestamp("us")),
        ("received_at", pa.timestamp("us")),
    ]
)


@dataclass
class EventContext:
    """Global inputs of the event chunks, indexed by customer."""

    w: World
    c: Customers
    k: Consent
    prods: Products
    o: Orders
    ex: Exposures
    order_by_cust: np.ndarray
    order_first: np.ndarray  # first position in order_by_cust per customer (n + 1 entries)
    ex_by_cust: np.ndarray
    ex_first: np.ndarray
    salt: np.uint64

    @classmethod
    def build(cls, w, c, k, prods, o, ex) -> EventContext:
        def index(cust):
            by = np.argsort(cust, kind="stable")
            first = np.searchsorted(cust[by], np.arange(c.n + 1))
            return by, first

        ob, of = index(o.cust)
        eb, ef = index(ex.cust)
        salt = splitmix64(np.array([w.seed], dtype=np.uint64))[0]
        return cls(w, c, k, prods, o, ex, ob, of, eb, ef, salt)

    def device(self, cust: np.ndarray, slot: np.ndarray) -> np.ndarray:
        x = cust.astype(np.uint64) * np.uint64(4) + slot.astype(np.uint64)
        return splitmix64(x ^ self.salt)


def _geometric(rng, p: float, n: int, cap: int) -> np.ndarray:
    return np.minimum(rng.geometric(p, n) - 1, cap)


def _sessions(ctx: EventContext, rng, c0: int, c1: int) -> dict[str, np.ndarray]:
    """The chunk's sessions: customer (-1 anonymous), kind, end time, order (-1 none)."""
    w, c = ctx.w, ctx.c
    cs = np.arange(c0, c1)
    ctype = c.ctype[cs]
    lo = np.maximum(w.start, c.signup[cs])
    hi = np.full(len(cs), w.end - 1, dtype=np.int64)
    hi[ctype == LAPSING] = min(w.end - 1, c.lapse_hi + 60 * DAY)
    hi = np.maximum(hi, lo)
    rate = np.array([SESSION_RATE[t] for t in range(7)], dtype=float)[ctype]
    count = rng.poisson(rate * (hi - lo) / (365 * DAY))
    count[ctype == NEW] = 2 + rng.poisson(2.0, int((ctype == NEW).sum()))
    bridal = np.where(c.traits["bridal"][cs], 2 + rng.poisson(2.0, len(cs)), 0)
    parts = []
    for kind, cnt in ((B_BROWSE, count), (B_BRIDAL, bridal)):
        sc = np.repeat(np.arange(len(cs)), cnt)
        parts.append((cs[sc], np.full(len(sc), kind), w.seasonal(rng, lo[sc], hi[sc]), -1))
    # cart abandonment: before each cart_abandoners exposure, and recently for the type
    e = ctx.ex_by_cust[ctx.ex_first[c0] : ctx.ex_first[c1]]
    e = e[ctx.ex.segment[e] == 0]
    ends = ctx.ex.t[e] - rng.integers(DAY, 5 * DAY, len(e))
    parts.append((ctx.ex.cust[e], np.full(len(e), B_CART), ends, -1))
    recent_lo = np.maximum(lo, w.end - 30 * DAY)
    ok = (ctype == CART) & (recent_lo < w.end - HOUR)
    cnt = np.where(ok, 1 + (rng.random(len(cs)) < 0.5), 0)
    sc = np.repeat(np.arange(len(cs)), cnt)
    ends = recent_lo[sc] + (rng.random(len(sc)) * (w.end - HOUR - recent_lo[sc])).astype(np.int64)
    parts.append((cs[sc], np.full(len(sc), B_CART), ends, -1))
    # purchases of web / app orders
    oi = ctx.order_by_cust[ctx.order_first[c0] : ctx.order_first[c1]]
    oi = oi[ctx.o.channel[oi] <= 1]
    parts.append((ctx.o.cust[oi], np.full(len(oi), B_PURCHASE), ctx.o.t[oi], oi))
    # visitors who never log in
    n_anon = round(0.12 * int(count.sum() + bridal.sum()))
    anon_t = w.seasonal(rng, np.full(n_anon, w.start), np.full(n_anon, w.end - 1))
    parts.append((np.full(n_anon, -1), np.full(n_anon, B_ANON), anon_t, -1))
    out = {
        "cust": np.concatenate([p[0] for p in parts]),
        "kind": np.concatenate([p[1] for p in parts]),
        "end": np.concatenate([p[2] for p in parts]),
        "order": np.concatenate([np.broadcast_to(p[3], len(p[0])) for p in parts]),
    }
    return out


def _session_events(ctx: EventContext, rng, s: dict, session_offset: int) -> dict:
    c, prods = ctx.c, ctx.prods
    kind, cust, order = s["kind"], s["cust"], s["order"]
    m = len(kind)
    known = cust >= 0
    cu = np.maximum(cust, 0)
    n_browse = 1 + np.where(
        kind == B_BRIDAL, 1 + _geometric(rng, 0.3, m, 12), _geometric(rng, 0.3, m, 15)
    )
    n_browse = np.where(kind == B_PURCHASE, 1 + _geometric(rng, 0.4, m, 8), n_browse)
    logged = known & ((kind == B_PURCHASE) | (kind == B_CART) | (rng.random(m) < 0.55))
    tail = np.select([kind == B_PURCHASE, kind == B_CART], [3, 2], 0)
    n_ev = n_browse + logged + tail
    app = np.where(known, c.traits["has_app"][cu] & (rng.random(m) < 0.45), rng.random(m) < 0.3)
    app = np.where(kind == B_PURCHASE, ctx.o.channel[np.maximum(order, 0)] == 1, app)
    slot = np.where(app, 1, np.where(c.traits["second_web"][cu] & (rng.random(m) < 0.3), 2, 0))
    device = np.where(
        known,
        ctx.device(cu, slot),
        splitmix64((np.uint64(1) << np.uint64(62)) + rng.integers(0, 2**40, m).astype(np.uint64)),
    )
    session = splitmix64(
        (np.uint64(3) << np.uint64(60))
        + np.arange(session_offset, session_offset + m, dtype=np.uint64)
        ^ ctx.salt
    )

    total = int(n_ev.sum())
    sess = np.repeat(np.arange(m), n_ev)
    start = np.cumsum(n_ev) - n_ev
    pos = np.arange(total) - start[sess]
    from_end = n_ev[sess] - 1 - pos
    lg = logged[sess]
    k_s = kind[sess]
    etype = np.where(
        k_s == B_BRIDAL,
        np.array([PAGE, VIEW, SEARCH])[rng.choice(3, total, p=[0.1, 0.85, 0.05])],
        np.array([PAGE, VIEW, SEARCH, CART_ADD])[rng.choice(4, total, p=[0.35, 0.45, 0.15, 0.05])],
    )
    etype[pos == 0] = PAGE
    etype[lg & (pos == 1)] = LOGIN
    tl = tail[sess]
    etype[(tl == 3) & (from_end == 2)] = CART_ADD
    etype[(tl == 3) & (from_end == 1)] = CHECKOUT
    etype[(tl == 3) & (from_end == 0)] = PURCHASE
    etype[(tl == 2) & (from_end == 1)] = CART_ADD
    etype[(tl == 2) & (from_end == 0)] = CHECKOUT

    # times: sessions end at their anchor (the order time for purchases)
    gaps = (rng.exponential(40.0, total) + 3).astype(np.int64)
    gaps[from_end == 0] = 0
    csum = np.cumsum(gaps)
    last = start + n_ev - 1
    offset = csum[last][sess] - (csum - gaps)
    dur = offset[start]
    end = s["end"].copy()
    signup = c.signup[cu]
    free = known & (kind != B_PURCHASE)
    end[free] = np.maximum(end[free], signup[free] + dur[free] + 60)
    end = np.minimum(end, np.where(kind == B_PURCHASE, end, ctx.w.end - 1))
    t_sec = end[sess] - offset
    event_us = t_sec * US + rng.integers(0, 900_000, total)

    # products
    ev_cust = cust[sess]
    has_prod = (etype == VIEW) | (etype == CART_ADD)
    pi = np.flatnonzero(has_prod)
    pc_ = np.maximum(ev_cust[pi], 0)
    tr = c.traits
    bridal_ctx = (k_s[pi] == B_BRIDAL) | (tr["bridal"][pc_] & (ev_cust[pi] >= 0))
    bridal_p = np.where(k_s[pi] == B_BRIDAL, 1.0, 0.35)
    pool_r = rng.random(len(pi)) < bridal_p
    prod = prods.for_customers(
        rng,
        bridal_ctx & pool_r,
        tr["artisan"][pc_] & (ev_cust[pi] >= 0),
        (c.ctype[pc_] == VIP) & (ev_cust[pi] >= 0),
        bridal_p=1.0,
    )
    buy = (k_s[pi] == B_PURCHASE) & (etype[pi] == CART_ADD)
    prod[buy] = ctx.o.item_product[ctx.o.first_item[order[sess[pi[buy]]]]]
    prod[~buy] = prods.launched_by(rng, prod[~buy], t_sec[pi[~buy]])
    product = np.full(total, -1, dtype=np.int64)
    product[pi] = prod

    props = pa.nulls(total, pa.string())
    pur = np.flatnonzero(etype == PURCHASE)
    srch = np.flatnonzero(etype == SEARCH)
    prop_idx = np.concatenate([pur, srch])
    prop_val = pa.concat_arrays(
        [
            join_str('{"order_id":"', ctx.o.ids.take(pa.array(order[sess[pur]])), '"}'),
            join_str(
                '{"query":"', take_str(SEARCHES, rng.integers(0, len(SEARCHES), len(srch))), '"}'
            ),
        ]
    )
    return {
        "etype": etype,
        "cust": np.where(lg & (pos >= 1), ev_cust, -1),
        "device": device[sess],
        "session": session[sess],
        "has_session": np.ones(total, bool),
        "app": app[sess],
        "product": product,
        "props": (props, prop_idx, prop_val),
        "event_us": event_us,
    }, m


def _email_events(ctx: EventContext, rng, c0: int, c1: int) -> list[dict]:
    """Newsletters (weekly) and campaign e-mails, opened / clicked by consenting customers."""
    w, c, k = ctx.w, ctx.c, ctx.k
    cs = np.arange(c0, c1)
    maybe = cs[(k.grant_t[2, cs] < NEVER) | (k.renew_status[2, cs] == 1)]
    weeks = np.arange((w.end - w.start) // (7 * DAY))
    send = w.start + weeks * 7 * DAY + 2 * DAY + 15 * HOUR
    keep = send < w.end - DAY
    weeks, send = weeks[keep], send[keep]
    cu = np.repeat(maybe, len(weeks))
    wk = np.tile(weeks, len(maybe))
    st = np.tile(send, len(maybe))
    ok = (st >= c.signup[cu]) & k.valid(2, cu, st)
    cu, wk, st = cu[ok], wk[ok], st[ok]
    eng = c.traits["email_engaged"][cu]
    opened = rng.random(len(cu)) < np.where(eng, 0.5, 0.06)
    cu, wk, st, eng = cu[opened], wk[opened], st[opened], eng[opened]
    campaign = join_str("NL-", fmt_ids("", wk + 1, 4))
    # campaign e-mails after win-back / email-engaged exposures
    e = ctx.ex_by_cust[ctx.ex_first[c0] : ctx.ex_first[c1]]
    e = e[(ctx.ex.segment[e] != 0) & (rng.random(len(e)) < 0.5)]
    cu = np.concatenate([cu, ctx.ex.cust[e]])
    st = np.concatenate([st, ctx.ex.t[e]])
    eng = np.concatenate([eng, np.ones(len(e), bool)])
    campaign = pa.concat_arrays([campaign, fmt_ids("CMP-", ctx.ex.campaign[e] + 1, 4)])
    open_t = st + np.minimum(rng.exponential(6 * HOUR, len(cu)).astype(np.int64), 3 * DAY) + 5
    clicked = rng.random(len(cu)) < np.where(eng, 0.4, 0.15)
    click_t = open_t + rng.integers(5, 600, len(cu))
    out = []
    for etype, t, sel in (
        (OPEN, open_t, open_t < w.end),
        (CLICK, click_t, clicked & (click_t < w.end)),
    ):
        idx = np.flatnonzero(sel)
        out.append(
            {
                "etype": np.full(len(idx), etype),
                "cust": cu[idx],
                "device": ctx.device(cu[idx], np.zeros(len(idx), np.int64)),
                "session": np.zeros(len(idx), np.uint64),
                "has_session": np.zeros(len(idx), bool),
                "app": np.zeros(len(idx), bool),
                "product": np.full(len(idx), -1),
                "props": join_str('{"campaign_id":"', campaign.take(pa.array(idx)), '"}'),
                "event_us": t[idx] * US + rng.integers(0, 900_000, len(idx)),
            }
        )
    return out


def _exposure_events(ctx: EventContext, rng, c0: int, c1: int) -> dict:
    ex = ctx.ex
    e = ctx.ex_by_cust[ctx.ex_first[c0] : ctx.ex_first[c1]]
    ind = pa.array(e)
    props = join_str(
        '{"segment_id":"',
        take_str(SEGMENT_NAMES, ex.segment[e]),
        '","variant":"',
        take_str(("treatment", "holdout"), ex.holdout[e].astype(np.int64)),
        '","campaign_id":"',
        fmt_ids("CMP-", ex.campaign[e] + 1, 4),
        '","consent_version":"',
        ex.version.take(ind),
        '"}',
    )
    return {
        "etype": np.full(len(e), EXPOSED),
        "cust": ex.cust[e],
        "device": ctx.device(ex.cust[e], np.zeros(len(e), np.int64)),
        "session": np.zeros(len(e), np.uint64),
        "has_session": np.zeros(len(e), bool),
        "app": np.zeros(len(e), bool),
        "product": np.full(len(e), -1),
        "props": props,
        "event_us": ex.t[e] * US,
    }


def events_chunk(
    ctx: EventContext, chunk: int, c0: int, c1: int, event_offset: int, session_offset: int
) -> tuple[pa.Table, int]:
    """Events of customers [c0, c1) (plus anonymous visitors), sorted by event time."""
    w = ctx.w
    rng = w.rng(f"events-{chunk}")
    sessions = _sessions(ctx, rng, c0, c1)
    sess_ev, n_sessions = _session_events(ctx, rng, sessions, session_offset)
    groups = [sess_ev, *_email_events(ctx, rng, c0, c1), _exposure_events(ctx, rng, c0, c1)]

    def cat(key):
        return np.concatenate([g[key] for g in groups])

    etype, cust, device = cat("etype"), cat("cust"), cat("device")
    session, has_session, app = cat("session"), cat("has_session"), cat("app")
    product, event_us = cat("product"), cat("event_us")
    props_s, pidx, pval = sess_ev["props"]
    n0 = len(sess_ev["etype"])
    mask = np.zeros(n0, bool)
    mask[pidx] = True
    first = props_s
    if len(pidx):
        srt = np.argsort(pidx, kind="stable")
        first = pc.replace_with_mask(props_s, pa.array(mask), pval.take(pa.array(srt)))
    props = pa.concat_arrays([first] + [g["props"] for g in groups[1:]])

    order = np.argsort(event_us, kind="stable")
    n = len(order)
    event_us = event_us[order]
    late = (rng.random(n) < 0.02) & (event_us < (w.end - 3 * DAY) * US)
    delay = np.where(
        late,
        rng.integers(DAY * US, 3 * DAY * US, n),
        rng.integers(200_000, 8 * US, n),
    )
    ind = pa.array(order)
    cust = cust[order]
    product = product[order]
    table = pa.table(
        {
            "event_id": fmt_ids("E", np.arange(event_offset + 1, event_offset + n + 1), 11),
            "anonymous_id": hex_ids("a-", device[order]),
            "customer_id": ctx.c.ids.take(pa.array(np.maximum(cust, 0), mask=cust < 0)),
            "session_id": hex_ids("s-", session[order]).take(
                pa.array(np.arange(n), mask=~has_session[order])
            ),
            "event_type": take_str(EVENT_TYPES, etype[order]),
            "platform": take_str(("web", "app"), app[order].astype(np.int64)),
            "product_id": ctx.prods.ids.take(pa.array(np.maximum(product, 0), mask=product < 0)),
            "properties": props.take(ind),
            "event_at": pa.array(event_us, pa.timestamp("us")),
            "received_at": pa.array(
                np.maximum(np.minimum(event_us + delay, w.end * US - 1), event_us),
                pa.timestamp("us"),
            ),
        },
        schema=EVENTS_SCHEMA,
    )
    return table, n_sessions
