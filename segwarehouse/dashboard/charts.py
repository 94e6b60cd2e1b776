"""Every chart of the dashboard and of the static report, stated once (Altair, Vega-Lite 6).

Each function takes the rows of one query of segwarehouse.dashboard.data and returns a chart
with its title in words and its units on the axes; the dashboard shows it with
st.altair_chart, the report embeds its Vega-Lite JSON. The data travels inside the spec."""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = 640
DAY = alt.X("kpi_date:T", title="Business day", axis=alt.Axis(format="%d %b"))
LEGEND = alt.Legend(labelLimit=280)
BOTTOM_LEGEND = alt.Legend(orient="bottom", direction="vertical", labelLimit=400)
# below the chart, in columns: a legend taller than the chart would be cut
SEGMENT_LEGEND = alt.Legend(title="Segment", orient="bottom", columns=3, labelLimit=220)
RELIABLE = "enough exposures in both groups"
UNRELIABLE = "too few exposures: read the interval"


def _pp(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The lift columns in percentage points (a difference of two rates)."""
    frame = frame.copy()
    for column in columns:
        frame[f"{column}_pp"] = frame[column].astype("float64") * 100
    return frame


# ---------------------------------------------------------------- segment sizes


def members_over_time(sizes: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(sizes, title="Customers in each segment, day by day", width=WIDTH, height=520)
        .mark_line(point=True)
        .encode(
            x=DAY,
            y=alt.Y("members:Q", title="Members (customers)"),
            color=alt.Color("segment_name:N", legend=SEGMENT_LEGEND),
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("kpi_date:T", title="Day"),
                alt.Tooltip("members:Q", title="Members", format=","),
            ],
        )
    )


FLOWS = {
    "members_entered": "Entered",
    "left_rule": "Left: no longer qualifies",
    "members_opted_out": "Left: consent ended",
}


def entries_and_exits(sizes: pd.DataFrame) -> alt.FacetChart:
    """Customers entering (up) and leaving (down) each day, one panel per segment; the exits
    split into those whose consent ended and the others."""
    days = sizes.dropna(subset=["members_entered", "members_exited"]).copy()
    days["left_rule"] = days["members_exited"] - days["members_opted_out"].fillna(0)
    long = days.melt(
        id_vars=["segment_name", "kpi_date"],
        value_vars=list(FLOWS),
        var_name="flow",
        value_name="customers",
    )
    long["flow"] = long["flow"].map(FLOWS)
    long["signed"] = long["customers"].where(long["flow"] == "Entered", -long["customers"])
    panels = long["segment_name"].nunique()
    return (
        alt.Chart(
            long, width=WIDTH if panels == 1 else WIDTH // 3, height=120 if panels > 1 else 240
        )
        .mark_bar()
        .encode(
            x=alt.X("kpi_date:T", title="Business day", axis=alt.Axis(format="%d %b")),
            y=alt.Y("sum(signed):Q", title="Customers"),
            color=alt.Color(
                "flow:N",
                title="Movement",
                legend=BOTTOM_LEGEND,
                scale=alt.Scale(
                    domain=list(FLOWS.values()), range=["#2a9d8f", "#e9c46a", "#e76f51"]
                ),
            ),
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("kpi_date:T", title="Day"),
                alt.Tooltip("flow:N", title="Movement"),
                alt.Tooltip("customers:Q", title="Customers", format=","),
            ],
        )
        .facet(facet=alt.Facet("segment_name:N", title=None), columns=3)
        .properties(title="Customers entering (up) and leaving (down) each segment, per day")
    )


# ---------------------------------------------------------------- lift


def lift_forest(latest: pd.DataFrame) -> alt.LayerChart:
    """The absolute lift of every segment with a read-out, with its 95% interval."""
    rows = _pp(
        latest.dropna(subset=["absolute_lift"]),
        "absolute_lift",
        "absolute_lift_ci_lower",
        "absolute_lift_ci_upper",
    )
    rows["reliability"] = rows["is_readout_reliable"].map({True: RELIABLE, False: UNRELIABLE})
    y = alt.Y("segment_name:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=240))
    color = alt.Color(
        "reliability:N",
        title="Read-out",
        legend=LEGEND,
        scale=alt.Scale(domain=[RELIABLE, UNRELIABLE], range=["#264653", "#b0b0b0"]),
    )
    tooltip = [
        alt.Tooltip("segment_name:N", title="Segment"),
        alt.Tooltip("absolute_lift_pp:Q", title="Lift (pp)", format="+.2f"),
        alt.Tooltip("absolute_lift_ci_lower_pp:Q", title="95% interval from (pp)", format="+.2f"),
        alt.Tooltip("absolute_lift_ci_upper_pp:Q", title="95% interval to (pp)", format="+.2f"),
        alt.Tooltip("treatment_exposed:Q", title="Treatment exposures", format=","),
        alt.Tooltip("holdout_exposed:Q", title="Holdout exposures", format=","),
        alt.Tooltip("lift_p_value:Q", title="p-value", format=".3f"),
    ]
    base = alt.Chart(rows)
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X(
            "absolute_lift_ci_lower_pp:Q",
            title="Lift in 30-day conversion (percentage points, treatment minus holdout)",
        ),
        x2="absolute_lift_ci_upper_pp:Q",
        y=y,
        color=color,
        tooltip=tooltip,
    )
    point = base.mark_point(filled=True, size=70).encode(
        x="absolute_lift_pp:Q", y=y, color=color, tooltip=tooltip
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x="zero:Q")
    return alt.layer(interval, point, zero).properties(
        title=f"Lift per segment with 95% intervals, on {_day(latest)}", width=WIDTH
    )


def lift_over_time(readouts: pd.DataFrame) -> alt.LayerChart:
    """One segment's lift day by day (cumulative exposures), with its 95% interval."""
    rows = _pp(
        readouts.dropna(subset=["absolute_lift"]),
        "absolute_lift",
        "absolute_lift_ci_lower",
        "absolute_lift_ci_upper",
    )
    base = alt.Chart(rows)
    band = base.mark_area(opacity=0.25, color="#264653").encode(
        x=DAY,
        y=alt.Y(
            "absolute_lift_ci_lower_pp:Q",
            title="Lift (percentage points)",
        ),
        y2="absolute_lift_ci_upper_pp:Q",
    )
    line = base.mark_line(point=True, color="#264653").encode(
        x=DAY,
        y="absolute_lift_pp:Q",
        tooltip=[
            alt.Tooltip("kpi_date:T", title="Day"),
            alt.Tooltip("absolute_lift_pp:Q", title="Lift (pp)", format="+.2f"),
            alt.Tooltip("absolute_lift_ci_lower_pp:Q", title="95% interval from", format="+.2f"),
            alt.Tooltip("absolute_lift_ci_upper_pp:Q", title="95% interval to", format="+.2f"),
            alt.Tooltip("treatment_exposed:Q", title="Treatment exposures", format=","),
            alt.Tooltip("holdout_exposed:Q", title="Holdout exposures", format=","),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(y="zero:Q")
    return alt.layer(band, line, zero).properties(
        title=f"Daily read-out of {_segment(readouts)}: lift, 95% interval shaded",
        width=WIDTH,
        height=300,
    )


ARMS = {"treatment": "Treatment (targeted)", "holdout": "Holdout (not targeted)"}


def conversion_by_arm(readouts: pd.DataFrame) -> alt.LayerChart:
    """One segment's 30-day conversion rate of each group, day by day, with 95% intervals."""
    frames = []
    for arm, label in ARMS.items():
        frame = readouts[["kpi_date", f"{arm}_exposed"]].copy()
        frame.columns = ["kpi_date", "exposures"]
        frame["group"] = label
        frame["rate"] = readouts[f"{arm}_conversion_rate"]
        frame["lower"] = readouts[f"{arm}_conversion_ci_lower"]
        frame["upper"] = readouts[f"{arm}_conversion_ci_upper"]
        frames.append(frame.dropna(subset=["rate"]))
    rows = pd.concat(frames, ignore_index=True)
    color = alt.Color(
        "group:N",
        title="Group",
        legend=LEGEND,
        scale=alt.Scale(domain=list(ARMS.values()), range=["#2a9d8f", "#8d99ae"]),
    )
    base = alt.Chart(rows)
    band = base.mark_area(opacity=0.2).encode(
        x=DAY,
        y=alt.Y("lower:Q", title="Converted in 30 days (%)", axis=alt.Axis(format="%")),
        y2="upper:Q",
        color=color,
    )
    line = base.mark_line(point=True).encode(
        x=DAY,
        y="rate:Q",
        color=color,
        tooltip=[
            alt.Tooltip("kpi_date:T", title="Day"),
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("rate:Q", title="Conversion", format=".1%"),
            alt.Tooltip("lower:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("upper:Q", title="95% interval to", format=".1%"),
            alt.Tooltip("exposures:Q", title="Exposures", format=","),
        ],
    )
    return alt.layer(band, line).properties(
        title=f"Conversion of the targeted and the holdout group: {_segment(readouts)}",
        width=WIDTH,
        height=300,
    )


# ---------------------------------------------------------------- overlap


def overlap_heatmap(pairs: pd.DataFrame) -> alt.Chart:
    side = 28 * max(pairs["segment_name"].nunique(), 1)  # every segment's name readable
    labels = alt.Axis(labelLimit=240, labelOverlap=False)
    return (
        alt.Chart(
            pairs,
            title=f"Customers shared by two segments, on {_day(pairs, 'as_of_date')}",
            width=side,
            height=side,
        )
        .mark_rect()
        .encode(
            x=alt.X(
                "other_segment_name:N",
                title=None,
                sort="ascending",
                axis=alt.Axis(labelLimit=240, labelOverlap=False, labelAngle=-45),
            ),
            y=alt.Y("segment_name:N", title=None, sort="ascending", axis=labels),
            color=alt.Color(
                "jaccard_index:Q",
                title="Overlap (% of either)",
                scale=alt.Scale(scheme="blues", domain=[0, 1]),
                legend=alt.Legend(format="%"),
            ),
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("other_segment_name:N", title="Other segment"),
                alt.Tooltip("members:Q", title="Members of the segment", format=","),
                alt.Tooltip("other_members:Q", title="Members of the other", format=","),
                alt.Tooltip("shared_members:Q", title="Customers in both", format=","),
                alt.Tooltip("jaccard_index:Q", title="Overlap", format=".1%"),
            ],
        )
    )


# ---------------------------------------------------------------- consent

_LABELS = {
    "consent_purpose": "Purpose of use",
    "privacy_region": "Privacy region",
    "consent_source": "Where the choice came from",
}


def _rate_tooltip(*dimensions: str) -> list[alt.Tooltip]:
    return [
        *(alt.Tooltip(f"{d}:N", title=_LABELS[d]) for d in dimensions),
        alt.Tooltip("choices:Q", title="Choices", format=","),
        alt.Tooltip("denials:Q", title="Denials", format=","),
        alt.Tooltip("withdrawals:Q", title="Withdrawals", format=","),
        alt.Tooltip("opt_out_rate:Q", title="Opt-out rate", format=".1%"),
        alt.Tooltip("gpc_signals:Q", title="GPC signals", format=","),
    ]


def opt_out_heatmap(rates: pd.DataFrame) -> alt.LayerChart:
    """Opt-out rate per purpose and privacy region (consent_rates(p, purpose, region))."""
    base = alt.Chart(rates).encode(
        x=alt.X("privacy_region:N", title=_LABELS["privacy_region"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("consent_purpose:N", title=_LABELS["consent_purpose"]),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "opt_out_rate:Q",
            title="Opt-out rate",
            scale=alt.Scale(scheme="oranges", domainMin=0),
            legend=alt.Legend(format="%"),
        ),
        tooltip=_rate_tooltip("consent_purpose", "privacy_region"),
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("opt_out_rate:Q", format=".0%"),
        color=alt.condition("datum.opt_out_rate > 0.5", alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, text).properties(
        title="Share of consent choices that were opt-outs, by purpose and region",
        width=WIDTH * 2 // 3,
    )


def opt_out_by_source(rates: pd.DataFrame) -> alt.Chart:
    """Opt-out rate per source of the choice (consent_rates(p, source))."""
    return (
        alt.Chart(
            rates, title="Share of consent choices that were opt-outs, by channel", width=WIDTH
        )
        .mark_bar()
        .encode(
            y=alt.Y("consent_source:N", title=_LABELS["consent_source"], sort="-x"),
            x=alt.X(
                "opt_out_rate:Q", title="Opt-out rate (% of choices)", axis=alt.Axis(format="%")
            ),
            color=alt.condition(
                "datum.gpc_signals > 0", alt.value("#e76f51"), alt.value("#8d99ae")
            ),
            tooltip=_rate_tooltip("consent_source"),
        )
    )


# ---------------------------------------------------------------- exposure violations


def violations_by_segment(rows: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(rows, title="Exposures that broke a rule, per segment and reason", width=WIDTH)
        .mark_bar()
        .encode(
            y=alt.Y("segment_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X(
                "sum(exposures):Q", title="Exposures (an exposure with two reasons counts twice)"
            ),
            color=alt.Color("reason_text:N", title="Reason", legend=BOTTOM_LEGEND),
            tooltip=[
                alt.Tooltip("segment_name:N", title="Segment"),
                alt.Tooltip("reason_text:N", title="Reason"),
                alt.Tooltip("sum(exposures):Q", title="Exposures", format=","),
            ],
        )
    )


def violations_over_time(rows: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(rows, title="Exposures that broke a rule, per week of exposure", width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearweek(exposure_date):T",
                title="Week of the exposure",
                axis=alt.Axis(format="%b %Y"),
            ),
            y=alt.Y("sum(exposures):Q", title="Exposures"),
            color=alt.Color("reason_text:N", title="Reason", legend=BOTTOM_LEGEND),
            tooltip=[
                alt.Tooltip("yearweek(exposure_date):T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("reason_text:N", title="Reason"),
                alt.Tooltip("sum(exposures):Q", title="Exposures", format=","),
            ],
        )
    )


# ---------------------------------------------------------------- data quality


def logged_over_time(quality: pd.DataFrame) -> alt.FacetChart:
    """Raw rows logged per day and disposition, one panel per raw table, each on its own scale
    (the tracking events outnumber the rest by far)."""
    rows = quality[quality["logged_rows"] > 0]
    return (
        alt.Chart(rows, width=WIDTH // 3, height=120)
        .mark_bar()
        .encode(
            x=alt.X("as_of_date:T", title="Business day", axis=alt.Axis(format="%d %b")),
            y=alt.Y("sum(logged_rows):Q", title="Raw rows logged"),
            color=alt.Color("what_happened:N", title="What happened", legend=BOTTOM_LEGEND),
            tooltip=[
                alt.Tooltip("raw_table:N", title="Raw table"),
                alt.Tooltip("as_of_date:T", title="Day"),
                alt.Tooltip("what_happened:N", title="What happened"),
                alt.Tooltip("sum(logged_rows):Q", title="Rows", format=","),
            ],
        )
        .facet(facet=alt.Facet("raw_table:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(title="Raw rows logged by the checks, per table and day")
    )


def top_reasons(quality: pd.DataFrame, top: int = 15) -> alt.Chart:
    """On the latest day: the reasons that logged the most rows, with their table."""
    latest = quality[(quality["as_of_date"] == quality["as_of_date"].max())]
    latest = latest[latest["logged_rows"] > 0].nlargest(top, "logged_rows")
    return (
        alt.Chart(
            latest,
            title=f"The {top} reasons that logged the most rows, on {_day(quality, 'as_of_date')}",
            width=WIDTH,
        )
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=360)),
            x=alt.X("logged_rows:Q", title="Raw rows logged"),
            color=alt.Color("what_happened:N", title="What happened", legend=LEGEND),
            tooltip=[
                alt.Tooltip("raw_table:N", title="Raw table"),
                alt.Tooltip("reason:N", title="Reason"),
                alt.Tooltip("what_happened:N", title="What happened"),
                alt.Tooltip("logged_rows:Q", title="Rows", format=","),
                alt.Tooltip("share_of_raw_rows:Q", title="Share of the table", format=".2%"),
            ],
        )
        .transform_calculate(label="datum.raw_table + ': ' + datum.reason")
    )


def logged_share(quality: pd.DataFrame) -> alt.Chart:
    """On the latest day: the share of each raw table's rows logged, by disposition."""
    latest = quality[
        (quality["as_of_date"] == quality["as_of_date"].max()) & (quality["logged_rows"] > 0)
    ]
    return (
        alt.Chart(
            latest,
            title=f"Share of each raw table's rows logged, on {_day(quality, 'as_of_date')}",
            width=WIDTH,
        )
        .mark_bar()
        .encode(
            y=alt.Y("raw_table:N", title="Raw table", axis=alt.Axis(labelLimit=240)),
            x=alt.X(
                "sum(share_of_raw_rows):Q",
                title="Rows logged (% of the rows received)",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("what_happened:N", title="What happened", legend=LEGEND),
            tooltip=[
                alt.Tooltip("raw_table:N", title="Raw table"),
                alt.Tooltip("what_happened:N", title="What happened"),
                alt.Tooltip("sum(logged_rows):Q", title="Rows", format=","),
                alt.Tooltip("max(raw_rows):Q", title="Rows received", format=","),
                alt.Tooltip("sum(share_of_raw_rows):Q", title="Share", format=".2%"),
            ],
        )
    )


# ---------------------------------------------------------------- helpers


def _day(frame: pd.DataFrame, column: str = "kpi_date") -> str:
    if frame.empty:
        return "no day"
    return pd.Timestamp(frame[column].max()).strftime("%d %B %Y")


def _segment(frame: pd.DataFrame) -> str:
    names = frame["segment_name"].dropna().unique()
    return str(names[0]) if len(names) == 1 else "several segments"
