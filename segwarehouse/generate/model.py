"""Latent model of the demo data: customers, products, consent, orders, exposures, returns.

The tables of the shop, privacy and survey sources are built here; the tracking events are built
chunk by chunk in ``segwarehouse.generate.events`` from the arrays kept on the objects below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from segwarehouse.generate.util import (
    DAY,
    HOUR,
    NEVER,
    PURPOSES,
    SeasonSampler,
    child_rng,
    epoch_seconds,
    fmt_ids,
    join_str,
    seasonal_times,
    take_str,
    ts_text,
    uniform_times,
    years_of,
)

# --- reference values ---------------------------------------------------------------------------

_FIRST_NAMES = """
Anna Emma Olivia Sophia Mia Amelia Isabella Charlotte Ava Harper Ella Grace Chloe Lily Zoe Nora
Hannah Lea Laura Sarah Julia Lena Marie Clara Sofia Giulia Chiara Martina Alice Camille Louise
Manon Ines Lucia Paula Carmen Elena Maria Aoife Siobhan Niamh Saoirse Fenna Sanne Eva Noor Lotte
Isla Freya Poppy Evie Ruby Matilda Rosie Maya Aria Luna Layla Scarlett Victoria Madison Abigail
Emily Elizabeth Sofie Ingrid Astrid Helena Nina Jessica Jennifer Ashley Megan Rachel Naomi Leah
Priya Aisha Fatima Yasmin Mei Hana Yuki Ana Valentina Gabriela Daniela Camila Lucy Alexandra Diana
Liam Noah Oliver Elijah James William Benjamin Lucas Henry Theodore Jack Levi Alexander Mateo
Daniel Michael Mason Sebastian Ethan Logan Owen Samuel Jacob Asher Aiden John Joseph Wyatt David
Leo Luke Julian Hudson Grayson Matthew Ezra Gabriel Carter Isaac Jayden Luca Anthony Dylan Lincoln
Thomas Maverick Elias Josiah Charles Caleb Christopher Ezekiel Miles Jaxon Isaiah Andrew Joshua
Nathan Nolan Adrian Cameron Santiago Eli Aaron Ryan Angel Cooper Waylon Easton Kai Christian Jonah
Felix Max Paul Jonas Finn Emil Ben Elias Louis Hugo Arthur Jules Gabriel Raphael Adam Marco
Lorenzo Matteo Francesco Alessandro Pablo Alvaro Diego Javier Sean Conor Cian Oisin Daan Sem Bram
Harry George Oscar Archie Alfie Freddie Arjun Rohan Omar Yusuf Kenji Hiro Chen Wei
"""

_LAST_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf
Schroeder Neumann Braun Zimmermann Dubois Durand Lefebvre Moreau Laurent Simon Michel Leroy Roux
David Bertrand Morel Fournier Girard Bonnet Rossi Russo Ferrari Esposito Bianchi Romano Colombo
Ricci Marino Greco Bruno Gallo Conti Costa Giordano Mancini Fernandez Jimenez Moreno Munoz Alonso
Romero Navarro Torres Dominguez Vazquez Ramos Gil Serrano Blanco Molina Murray Byrne Ryan O'Brien
Walsh Doyle McCarthy Gallagher Kennedy Lynch Quinn de_Jong Jansen de_Vries van_den_Berg Bakker
Visser Smit Meijer Mulder Bos Vos Peters Hendriks Dekker Brouwer Evans Davies Wilson Roberts Wright
Thompson Walker Hughes Edwards Green Hall Lewis Harris Clarke Jackson Wood Turner Hill Cooper
"""

FIRST_NAMES = tuple(dict.fromkeys(_FIRST_NAMES.split()))
LAST_NAMES = tuple(dict.fromkeys(x.replace("_", " ") for x in _LAST_NAMES.split()))  # 'de Jong'

REGIONS = ("US-CA", "US-other", "EU", "UK", "other")
REGION_P = (0.25, 0.35, 0.25, 0.10, 0.05)
REGION_VERSION_PREFIX = ("us", "us", "eu", "uk", "intl")
US_STATES = ("NY", "TX", "FL", "WA", "IL", "MA", "NJ", "PA", "GA", "CO", "AZ", "OR", "NC", "VA")
US_STATE_TAX = (0.08875, 0.0825, 0.07, 0.1025, 0.1025, 0.0625, 0.06625)
US_STATE_TAX += (0.06, 0.07, 0.077, 0.084, 0.0, 0.0475, 0.053)
EU_COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "IE")
EU_P = (0.30, 0.22, 0.16, 0.14, 0.11, 0.07)
CA_PROVINCES = ("ON", "QC", "BC", "AB", "MB", "NS")
CURRENCIES = ("USD", "EUR", "GBP")
FX = np.array([1.0, 0.92, 0.79])
CHANNELS = ("web", "app", "store", "marketplace")
CHANNEL_P = np.array([0.45, 0.25, 0.20, 0.10])
DOMAINS = ("example.com", "example.org", "example.net")

TYPES = ("browser", "one_time", "repeat", "vip", "lapsing", "new", "cart_abandoner")
TYPE_P = (0.26, 0.38, 0.16, 0.015, 0.10, 0.02, 0.065)
BROWSER, ONE_TIME, REPEAT, VIP, LAPSING, NEW, CART = range(7)

CATEGORIES = ("rings", "necklaces", "earrings", "bracelets", "watches")
METALS = ("yellow_gold", "white_gold", "rose_gold", "platinum", "silver", "stainless_steel")
GEMSTONES = ("diamond", "sapphire", "emerald", "ruby", "pearl", "none")
STYLES = ("classic", "artisan_limited", "trendy", "vintage")
STATUSES = ("placed", "shipped", "completed", "cancelled", "returned")
PLACED, SHIPPED, COMPLETED, CANCELLED, RETURNED = range(5)
RETURN_REASONS = ("size", "changed_mind", "defect", "not_as_described", "gift_return", "other")
DISCOUNT_CODES = ("WELCOME10", "SAVE15", "HOLIDAY20", "VIP10", "SPRING15", "LOVE20", "FRIENDS25")
DISCOUNT_PCT = np.array([0.10, 0.15, 0.20, 0.10, 0.15, 0.20, 0.25])
GIFT_TEMPLATES = (  # (before the name, after the name)
    ("Happy birthday, ", "!"),
    ("Happy anniversary, ", "!"),
    ("Congratulations, ", "!"),
    ("For ", ", with love"),
    ("Thinking of you, ", "."),
    ("Merry Christmas, ", "!"),
    ("Happy Valentine's Day, ", "!"),
    ("Happy Mother's Day, ", "!"),
)

SEGMENTS = {  # planted experiment per segment
    "cart_abandoners": {"holdout_pct": 0.10, "p0": 0.08, "lift": 0.04, "purpose": 1, "select": 0.7},
    "win_back_180d": {"holdout_pct": 0.20, "p0": 0.04, "lift": 0.02, "purpose": 2, "select": 0.8},
    "email_engaged": {"holdout_pct": 0.10, "p0": 0.10, "lift": 0.00, "purpose": 2, "select": 0.7},
}
SEGMENT_NAMES = tuple(SEGMENTS)
# chronological campaign schedule: (segment index, position in the usable part of the window)
CAMPAIGN_SCHEDULE = (
    (0, 0.00), (2, 0.12), (0, 0.30), (2, 0.42), (1, 0.55),
    (0, 0.62), (2, 0.72), (1, 0.80), (0, 0.88), (2, 0.94), (1, 1.00),
)  # fmt: skip
CONVERSION_WINDOW_DAYS = 30
MIN_EXPOSURE_GAP = 60 * DAY
GRANT_MONTHS_VALID = 365 * DAY


@dataclass
class World:
    """Shared run parameters."""

    customers: int
    days: int
    seed: int
    end_date: date
    start: int = 0  # epoch seconds of the first window day
    end: int = 0  # epoch seconds just after the last window day
    sampler: SeasonSampler | None = None

    def __post_init__(self) -> None:
        first = self.end_date - timedelta(days=self.days - 1)
        self.start = epoch_seconds(first)
        self.end = epoch_seconds(self.end_date) + DAY
        self.sampler = SeasonSampler(first, self.days)

    def rng(self, name: str) -> np.random.Generator:
        return child_rng(self.seed, name)

    def seasonal(self, rng, lo, hi, curve: str = "normal") -> np.ndarray:
        return seasonal_times(rng, self.sampler, self.start, lo, hi, curve)


def _pick(rng: np.random.Generator, n: int, p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


# --- customers ----------------------------------------------------------------------------------


@dataclass
class Customers:
    n: int
    ids: pa.Array
    region: np.ndarray
    country: np.ndarray  # index into COUNTRY list
    state: np.ndarray  # index into STATE list or -1
    tax_rate: np.ndarray
    currency: np.ndarray
    ctype: np.ndarray
    signup: np.ndarray
    first_order: np.ndarray  # time of the first order when signup anchored on it, else -1
    signup_channel: np.ndarray
    loyalty: np.ndarray
    first: np.ndarray
    last: np.ndarray
    traits: dict[str, np.ndarray]
    deletion: np.ndarray
    lapse_hi: int
    countries: tuple[str, ...] = ()
    states: tuple[str, ...] = ()


def build_customers(w: World) -> Customers:
    rng = w.rng("customers")
    n = w.customers
    region = _pick(rng, n, REGION_P)
    countries = ("US", *EU_COUNTRIES, "GB", "CA", "AU")
    states = (*US_STATES, "CA", *CA_PROVINCES)
    country = np.zeros(n, dtype=np.int64)
    state = np.full(n, -1, dtype=np.int64)
    tax = np.zeros(n)
    us_other = region == 1
    st = _pick(rng, n, np.ones(len(US_STATES)))
    state[us_other] = st[us_other]
    tax[us_other] = np.array(US_STATE_TAX)[st[us_other]]
    state[region == 0] = len(US_STATES)
    tax[region == 0] = 0.0725
    eu = region == 2
    country[eu] = 1 + _pick(rng, n, EU_P)[eu]
    country[region == 3] = 1 + len(EU_COUNTRIES)
    other = region == 4
    is_ca = other & (rng.random(n) < 0.6)
    country[other] = np.where(is_ca[other], len(countries) - 2, len(countries) - 1)
    prov = len(US_STATES) + 1 + _pick(rng, n, np.ones(len(CA_PROVINCES)))
    state[is_ca] = prov[is_ca]
    tax[is_ca] = 0.05
    tax[other & ~is_ca] = 0.10
    currency = np.select([eu, region == 3], [1, 2], 0)

    ctype = _pick(rng, n, TYPE_P)
    buyer = ctype != BROWSER
    traits = {
        "discount": buyer & (rng.random(n) < 0.12),
        "gift": buyer & (rng.random(n) < 0.22),
        "bridal": rng.random(n) < 0.05,
        "artisan": rng.random(n) < 0.08,
        "high_return": buyer & (rng.random(n) < 0.05),
        "email_engaged": rng.random(n) < 0.18,
        "abandons": (ctype == CART) | (buyer & (rng.random(n) < 0.10)),
        "has_app": rng.random(n) < 0.40,
        "second_web": rng.random(n) < 0.25,
    }
    traits["self_treat"] = buyer & ~traits["gift"] & (rng.random(n) < 0.5)

    # signup: old customers before the window, the rest inside it
    s, e = w.start, w.end
    lapse_hi = min(s + int(0.3 * w.days) * DAY, e - 200 * DAY)
    if lapse_hi <= s + 2 * DAY:
        lapse_hi = s + max(int(0.25 * w.days), 3) * DAY
    pre = uniform_times(rng, np.full(n, s - 1095 * DAY), np.full(n, s - HOUR))
    inside = uniform_times(rng, np.full(n, s), np.full(n, max(s, e - 10 * DAY)))
    signup = np.where(rng.random(n) < 0.4, pre, inside)
    lapsing = ctype == LAPSING
    lap_in = uniform_times(rng, np.full(n, s), np.full(n, max(s, lapse_hi - 2 * DAY)))
    signup[lapsing] = np.where(rng.random(n) < 0.5, pre, lap_in)[lapsing]
    new_lo = max(s, e - 45 * DAY)
    new = ctype == NEW
    signup[new] = uniform_times(rng, np.full(n, new_lo), np.full(n, max(new_lo, e - 2 * DAY)))[new]

    # buyers who signed up in the window mostly did so shortly before their first order
    first_order = np.full(n, -1, dtype=np.int64)
    hi_t = np.full(n, e - 1, dtype=np.int64)
    hi_t[lapsing] = lapse_hi
    anchor = (signup >= s) & np.isin(ctype, [ONE_TIME, REPEAT, VIP, LAPSING]) & (hi_t > s + DAY)
    k = int(anchor.sum())
    first_order[anchor] = w.seasonal(rng, np.full(k, s), hi_t[anchor])
    lead = np.minimum(rng.exponential(4 * DAY, k).astype(np.int64), first_order[anchor] - s)
    signup[anchor] = first_order[anchor] - np.maximum(lead, HOUR)
    first_order[anchor] = np.maximum(first_order[anchor], signup[anchor] + HOUR)

    signup_channel = _pick(rng, n, [0.55, 0.25, 0.15, 0.05])
    loyal_p = np.where(np.isin(ctype, [REPEAT, VIP]), 0.6, 0.15)
    loyalty = rng.random(n) < loyal_p
    deletion = rng.random(n) < 0.005
    if n >= 200 and not deletion.any():
        deletion[rng.integers(0, n)] = True
    return Customers(
        n=n,
        ids=fmt_ids("C", np.arange(1, n + 1), max(7, len(str(n)))),
        region=region,
        country=country,
        state=state,
        tax_rate=tax,
        currency=currency,
        ctype=ctype,
        signup=signup,
        first_order=first_order,
        signup_channel=signup_channel,
        loyalty=loyalty,
        first=rng.integers(0, len(FIRST_NAMES), n),
        last=rng.integers(0, len(LAST_NAMES), n),
        traits=traits,
        deletion=deletion,
        lapse_hi=lapse_hi,
        countries=countries,
        states=states,
    )


def customers_table(w: World, c: Customers) -> pa.Table:
    """The customers table, a few customers twice (an older version, then the current one)."""
    rng = w.rng("customers_table")
    n = c.n
    first = take_str(FIRST_NAMES, c.first)
    last = take_str(LAST_NAMES, c.last)
    domain = take_str(DOMAINS, _pick(rng, n, [0.7, 0.15, 0.15]))
    plain_last = pc.replace_substring_regex(pc.utf8_lower(last), "[ ']", "")
    local = join_str(pc.utf8_lower(first), ".", plain_last, "+")
    email = join_str(local, pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), "@", domain)
    changed = rng.random(n) < 0.4
    updated = np.where(changed, uniform_times(rng, c.signup, np.full(n, w.end - 1)), c.signup)
    # legitimate updates: an older version of the record (other loyalty flag) is also present
    versioned = np.flatnonzero((rng.random(n) < 0.01) & (c.signup < w.end - 2 * DAY))
    updated[versioned] = uniform_times(
        rng, c.signup[versioned] + DAY, np.full(len(versioned), w.end - 1)
    )
    rows = np.concatenate([np.arange(n), versioned])
    old = np.concatenate([np.zeros(n, bool), np.ones(len(versioned), bool)])
    order = np.lexsort((old == 0, rows))  # old version first
    rows, old = rows[order], old[order]
    ind = pa.array(rows)
    loyalty = np.where(old, ~c.loyalty[rows], c.loyalty[rows])
    return pa.table(
        {
            "customer_id": c.ids.take(ind),
            "email": email.take(ind),
            "first_name": first.take(ind),
            "last_name": last.take(ind),
            "country_code": take_str(c.countries, c.country[rows]),
            "state_code": take_str(c.states, c.state[rows]),
            "signup_at": ts_text(c.signup[rows]),
            "signup_channel": take_str(CHANNELS, c.signup_channel[rows]),
            "is_loyalty_member": pa.array(loyalty),
            "updated_at": ts_text(np.where(old, c.signup[rows], updated[rows])),
        }
    )


# --- products -----------------------------------------------------------------------------------


@dataclass
class Products:
    n: int
    ids: pa.Array
    category: np.ndarray
    style: np.ndarray
    bridal: np.ndarray
    price: np.ndarray
    launched: np.ndarray
    pools: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    table: pa.Table | None = None

    def sample(self, rng: np.random.Generator, pool: str, k: int) -> np.ndarray:
        ids, p = self.pools[pool]
        return ids[rng.choice(len(ids), size=k, p=p)] if k else ids[:0]

    def for_customers(self, rng, bridal, artisan, vip, bridal_p=0.35) -> np.ndarray:
        """One product per entry, following the customers' tastes."""
        k = len(bridal)
        pool = np.zeros(k, dtype=np.int64)
        pool[vip & (rng.random(k) < 0.6)] = 3
        pool[artisan & (rng.random(k) < 0.6)] = 2
        pool[bridal & (rng.random(k) < bridal_p)] = 1
        out = np.empty(k, dtype=np.int64)
        for j, name in enumerate(("all", "bridal", "artisan", "premium")):
            sel = pool == j
            out[sel] = self.sample(rng, name, int(sel.sum()))
        return out

    def launched_by(self, rng, prod: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Replace products not yet launched at ``t`` by an older catalogue product."""
        bad = self.launched[prod] > t
        prod = prod.copy()
        prod[bad] = self.sample(rng, "old", int(bad.sum()))
        return prod


def build_products(w: World, n: int = 500) -> Products:
    rng = w.rng("products")
    cat = _pick(rng, n, [0.30, 0.22, 0.22, 0.16, 0.10])
    watch = cat == 4
    metal = np.where(
        watch,
        _pick(rng, n, [0.1, 0.05, 0.05, 0.05, 0.05, 0.7]),
        _pick(rng, n, [0.25, 0.2, 0.15, 0.1, 0.3, 0.0]),
    )
    gem = np.where(
        watch,
        np.where(rng.random(n) < 0.1, 0, 5),
        _pick(rng, n, [0.32, 0.1, 0.07, 0.07, 0.1, 0.34]),
    )
    gem[(cat == 0) & (gem == 4)] = 0  # few pearl rings
    lab = (gem == 0) & (rng.random(n) < 0.35)
    style = _pick(rng, n, [0.40, 0.15, 0.30, 0.15])
    bridal = ((cat == 0) & (rng.random(n) < 0.30)) | (np.isin(cat, [1, 2]) & (rng.random(n) < 0.03))
    base = np.array([600, 350, 300, 280, 1500])[cat]
    metal_mult = np.array([1.3, 1.3, 1.2, 2.0, 0.4, 0.6])[metal]
    gem_mult = np.array([2.0, 1.5, 1.5, 1.4, 1.1, 1.0])[gem] * np.where(lab, 0.5, 1.0)
    mult = metal_mult * gem_mult * np.where(bridal, 3.0, 1.0) * np.where(style == 1, 1.4, 1.0)
    price = np.clip(base * mult * rng.lognormal(0, 0.6, n), 30, 20000)
    price = np.where(price < 100, np.round(price) - 0.01, np.round(price / 5) * 5 - 0.01)
    launched_old = uniform_times(rng, np.full(n, w.end - 1460 * DAY), np.full(n, w.start - DAY))
    launched_new = uniform_times(rng, np.full(n, w.start), np.full(n, w.end - 10 * DAY))
    launched = np.where(rng.random(n) < 0.88, launched_old, launched_new)
    launched[:20] = launched_old[:20]  # always some old catalogue in each pool

    adj = np.array(["Classic", "Atelier", "Modern", "Heritage"])[style]
    metal_name = np.array(
        ["Yellow Gold", "White Gold", "Rose Gold", "Platinum", "Sterling Silver", "Steel"]
    )[metal]
    gem_name = np.array(["Diamond ", "Sapphire ", "Emerald ", "Ruby ", "Pearl ", ""])[gem]
    lab_name = np.where(lab, "Lab-Grown ", "")
    kind = np.array(["Ring", "Necklace", "Earrings", "Bracelet", "Watch"])[cat]
    kind = np.where(bridal & (cat == 0), "Engagement Ring", kind)
    names = [
        f"{a} {m} {lg}{g}{k}"
        for a, m, lg, g, k in zip(adj, metal_name, lab_name, gem_name, kind, strict=True)
    ]
    ids = fmt_ids("P", np.arange(1, n + 1), 5)
    p = Products(n, ids, cat, style, bridal, price, launched)
    weights = price**-0.5
    idx = np.arange(n)
    old = launched < w.start
    for name, sel in (
        ("all", np.ones(n, bool)),
        ("bridal", bridal),
        ("artisan", style == 1),
        ("premium", price >= 1000),
        ("old", old),
    ):
        sel = sel & (old | (name != "old"))
        if not sel.any():
            sel = np.ones(n, bool)
        p.pools[name] = (idx[sel], weights[sel] / weights[sel].sum())
    p.table = pa.table(
        {
            "product_id": ids,
            "product_name": pa.array(names, pa.string()),
            "category": take_str(CATEGORIES, cat),
            "metal": take_str(METALS, metal),
            "gemstone": take_str(GEMSTONES, gem),
            "is_lab_grown": pa.array(lab),
            "style": take_str(STYLES, style),
            "is_bridal": pa.array(bridal),
            "list_price": pa.array(np.round(price, 2)),
            "currency": pa.array(["USD"] * n, pa.string()),
            "launched_at": ts_text(launched),
        }
    )
    return p


# --- consent ------------------------------------------------------------------------------------


@dataclass
class Consent:
    """Per customer and purpose: the choices made, and when consent is valid."""

    jurisdiction: np.ndarray  # region index
    initial_status: np.ndarray  # (4, n): 0 no record, 1 granted, 2 denied
    initial_t: np.ndarray  # (n,) when the signup choices were recorded
    initial_source: np.ndarray  # (4, n) index into SOURCES
    grant_t: np.ndarray  # (4, n) start of the (explicit or implicit) grant, NEVER if none
    expiring: np.ndarray  # (n,) grants expire after 12 months (EU/UK)
    renew_t: np.ndarray  # (n,) re-prompt time or NEVER
    renew_status: np.ndarray  # (4, n) 1 granted, 2 denied
    withdraw_t: np.ndarray  # (4, n) or NEVER
    withdraw_source: np.ndarray  # (4, n)
    gpc_t: np.ndarray  # (n,) or NEVER

    def valid(self, p: int, cust: np.ndarray, t: np.ndarray) -> np.ndarray:
        g = self.grant_t[p, cust]
        exp = self.expiring[cust]
        ok1 = (t >= g) & (~exp | (t <= g + GRANT_MONTHS_VALID))
        r = self.renew_t[cust]
        ok2 = (self.renew_status[p, cust] == 1) & (t >= r) & (t <= r + GRANT_MONTHS_VALID)
        stop = np.minimum(self.withdraw_t[p, cust], self.gpc_t[cust] if p in (1, 3) else NEVER)
        return (ok1 | ok2) & (t < stop)

    def last_grant(self, p: int, cust: np.ndarray, t: np.ndarray) -> np.ndarray:
        r = self.renew_t[cust]
        renewed = (self.renew_status[p, cust] == 1) & (t >= r)
        return np.where(renewed, r, self.grant_t[p, cust])


CONSENT_SOURCES = ("banner", "account_settings", "gpc_signal", "support_request", "checkout")


def consent_version(region: np.ndarray, t: np.ndarray) -> pa.Array:
    prefix = take_str(REGION_VERSION_PREFIX, region)
    return join_str(prefix, "-", pc.cast(pa.array(years_of(t)), pa.string()), "-01")


def build_consent(w: World, c: Customers) -> Consent:
    rng = w.rng("consent")
    n = c.n
    reg = c.region
    opt_in = np.isin(reg, [2, 3])
    rec_t = c.signup + rng.integers(1, 120, n)
    status = np.zeros((4, n), dtype=np.int64)
    source = np.zeros((4, n), dtype=np.int64)
    grant_p = (0.7, 0.6, 0.5, 0.3)
    for p in range(4):
        status[p, opt_in] = np.where(rng.random(n) < grant_p[p], 1, 2)[opt_in]
    banner_us = ~opt_in & (rng.random(n) < 0.35)
    for p, gp in ((0, 0.85), (1, 0.8), (3, 0.7)):
        status[p, banner_us] = np.where(rng.random(n) < gp, 1, 2)[banner_us]
    mk = ~opt_in & (rng.random(n) < 0.5)
    status[2, mk] = 1
    source[2, mk] = np.where(rng.random(n) < 0.6, 4, 0)[mk]
    grant_t = np.full((4, n), NEVER, dtype=np.int64)
    for p in range(4):
        implicit = ~opt_in & (status[p] == 0) & (p != 2)
        grant_t[p] = np.where((status[p] == 1) | implicit, rec_t, NEVER)

    # EU / UK re-prompt once the grant is 12 months old (some never renew)
    renew_t = np.maximum(w.start, c.signup + 365 * DAY) + rng.integers(0, 90 * DAY, n)
    renew_ok = opt_in & (rng.random(n) < 0.6) & (renew_t < w.end - HOUR)
    renew_t = np.where(renew_ok, renew_t, NEVER)
    renew_status = np.zeros((4, n), dtype=np.int64)
    for p in range(4):
        keep = np.where(status[p] == 1, 0.9, 0.2)
        renew_status[p, renew_ok] = np.where(rng.random(n) < keep, 1, 2)[renew_ok]

    withdraw_t = np.full((4, n), NEVER, dtype=np.int64)
    withdraw_source = np.where(rng.random((4, n)) < 0.75, 1, 3)
    for p, wp in enumerate((0.03, 0.04, 0.07, 0.05)):
        last = np.where(renew_ok, np.where(renew_status[p] == 1, renew_t, NEVER), grant_t[p])
        lo = np.maximum(last, w.start)
        who = (last < NEVER) & (lo < w.end - HOUR) & (rng.random(n) < wp)
        withdraw_t[p, who] = uniform_times(rng, lo[who], np.full(who.sum(), w.end - HOUR))
    gpc = (reg == 0) & (rng.random(n) < 0.08)
    gpc_lo = np.maximum(c.signup + HOUR, w.start)
    gpc &= gpc_lo < w.end - HOUR
    gpc_t = np.full(n, NEVER, dtype=np.int64)
    gpc_t[gpc] = uniform_times(rng, gpc_lo[gpc], np.full(gpc.sum(), w.end - HOUR))
    return Consent(
        reg, status, rec_t, source, grant_t, opt_in, renew_t, renew_status, withdraw_t,
        withdraw_source, gpc_t,
    )  # fmt: skip


def consent_table(c: Customers, k: Consent) -> tuple[pa.Table, int]:
    n = c.n
    cust, purpose, status, src, t = [], [], [], [], []
    ar = np.arange(n)
    for p in range(4):
        sel = k.initial_status[p] > 0
        cust.append(ar[sel]), purpose.append(np.full(sel.sum(), p))
        status.append(np.where(k.initial_status[p, sel] == 1, 0, 1))
        src.append(k.initial_source[p, sel]), t.append(k.initial_t[sel])
        sel = k.renew_t < NEVER
        cust.append(ar[sel]), purpose.append(np.full(sel.sum(), p))
        status.append(np.where(k.renew_status[p, sel] == 1, 0, 1))
        src.append(np.zeros(sel.sum(), np.int64)), t.append(k.renew_t[sel])
        sel = k.withdraw_t[p] < NEVER
        cust.append(ar[sel]), purpose.append(np.full(sel.sum(), p))
        status.append(np.full(sel.sum(), 2)), src.append(k.withdraw_source[p, sel])
        t.append(k.withdraw_t[p, sel])
    for p in (3, 1):
        sel = k.gpc_t < NEVER
        cust.append(ar[sel]), purpose.append(np.full(sel.sum(), p))
        status.append(np.full(sel.sum(), 2)), src.append(np.full(sel.sum(), 2))
        t.append(k.gpc_t[sel])
    cust, purpose, status, src, t = (np.concatenate(x) for x in (cust, purpose, status, src, t))
    order = np.lexsort((purpose, cust, t))
    cust, purpose, status, src, t = (x[order] for x in (cust, purpose, status, src, t))
    m = len(cust)
    table = pa.table(
        {
            "consent_event_id": fmt_ids("CE", np.arange(1, m + 1), 9),
            "customer_id": c.ids.take(pa.array(cust)),
            "purpose": take_str(PURPOSES, purpose),
            "status": take_str(("granted", "denied", "withdrawn"), status),
            "consent_version": consent_version(c.region[cust], t),
            "source": take_str(CONSENT_SOURCES, src),
            "jurisdiction": take_str(REGIONS, c.region[cust]),
            "recorded_at": ts_text(t),
        }
    )
    return table, m + 1
