"""The words of the dashboard and the report, stated once: page titles, what each page shows,
and what an empty chart means. For readers who never saw the SQL: plain words, units."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    slug: str  # url path of the dashboard page, file name of its script and screenshot
    title: str
    intro: str


SIZES = Page(
    "segment_sizes",
    "Segment sizes",
    "How many customers each segment holds on each business day, and how many entered or "
    "left it that day. A customer leaves when they no longer qualify, or when the consent the "
    "segment needs was withdrawn, denied or expired.",
)
LIFT = Page(
    "lift",
    "Lift per segment",
    "Does showing a segment's campaign make its customers buy more? Each segment keeps a "
    "random holdout group that is not targeted. Lift is the treatment group's 30-day "
    "conversion rate minus the holdout's, in percentage points, with its 95% interval: when "
    "the interval crosses zero, the data cannot tell an effect from chance.",
)
OVERLAP = Page(
    "overlap",
    "Segment overlap",
    "How much two segments share their customers on the latest business day. 0% means no "
    "customer in common, 100% means the same customers (the Jaccard index: customers in both "
    "divided by customers in either).",
)
CONSENT = Page(
    "consent",
    "Consent and opt-outs",
    "Of all the consent choices customers made, the share that were opt-outs (a denial or a "
    "withdrawal), by purpose of use, privacy region and the channel the choice came from. "
    "Global Privacy Control (GPC) is a browser signal that counts as an opt-out.",
)
VIOLATIONS = Page(
    "exposure_violations",
    "Exposure violations",
    "Campaign exposures that should not have happened or cannot be trusted: shown to a "
    "customer without a sufficient legal ground, or logged without a known segment, variant "
    "or consent version. They are excluded from every lift read-out and are findings for the "
    "privacy office.",
)
QUALITY = Page(
    "data_quality",
    "Data quality",
    "Rows of the raw data that the checks logged before the segments were computed, per raw "
    "table, reason and business day: set aside (quarantined as unreadable or failing a check, "
    "duplicates, superseded or conflicting versions, customers who asked to be deleted) or "
    "used after a repair or with a flag.",
)
PAGES = (SIZES, LIFT, OVERLAP, CONSENT, VIOLATIONS, QUALITY)

NOTHING_PUBLISHED = (
    "Nothing is published yet in {serving}: the dashboard reads only the published copy of the "
    "warehouse. Run `make build` (or `make publish` after a successful `dbt build`)."
)
MISSING = (
    "The table {relation} is not in this publication, so this part cannot be shown. It is "
    "published by the next `make build` of a project version that has it."
)
NO_HISTORY = "No business day is recorded yet: run a build to record the first day."
FIRST_DAY_ONLY = (
    "Only one business day is recorded: entries and exits appear from the second day on "
    "(run `make simulate DAYS=30` for a history)."
)
NO_EXPOSURES = "No exposures logged for this segment yet: lift cannot be read."
NO_EXPOSURES_FOR = (
    "No exposures read yet for these segments (none whose 30-day window has ended), so their "
    "lift cannot be read: {segments}."
)
NO_READOUT_ANYWHERE = (
    "No segment has a read-out yet: lift is read only from campaign exposures whose 30-day "
    "attribution window has ended."
)
NOT_RELIABLE = (
    "Fewer exposures than the minimum in at least one group: read the interval, not the point."
)
NO_OVERLAP = "No two segments have members on the latest business day: there is no overlap."
NO_CONSENT = "No consent choice is recorded yet."
NO_VIOLATIONS = "No exposure violation: every logged exposure had a sufficient legal ground."
NO_QUALITY_ISSUES = "No raw row was logged: every row of every raw table passed every check."
