"""Dashboard page: the experiment read-out, a forest plot across segments and the daily
read-out of one."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.LIFT)
latest = ui.require(ui.load(data.latest_readouts, publication), data.KPIS, texts.NO_HISTORY)
read = latest[latest["absolute_lift"].notna()]
unread = latest[latest["absolute_lift"].isna()]

left, middle, right = st.columns(3)
left.metric("Segments with a read-out", f"{len(read):,} of {len(latest):,}")
middle.metric(
    "Significant at 95%",
    f"{int(((read['absolute_lift_ci_lower'] > 0) | (read['absolute_lift_ci_upper'] < 0)).sum()):,}",
    help="Segments whose 95% interval of the lift does not cross zero.",
)
right.metric(
    "Exposures read (both groups)",
    f"{int(read['treatment_exposed'].sum() + read['holdout_exposed'].sum()):,}",
)

if read.empty:
    st.info(texts.NO_READOUT_ANYWHERE)
else:
    ui.chart(charts.lift_forest(latest))
    if not read["is_readout_reliable"].all():
        st.caption(f"Grey: {texts.NOT_RELIABLE}")
if not unread.empty:
    st.caption(texts.NO_EXPOSURES_FOR.format(segments=", ".join(sorted(unread["segment_name"]))))

st.subheader("Daily read-out of one segment")
names = list(read["segment_name"]) + sorted(unread["segment_name"])
chosen = st.selectbox("Segment", names, key="lift_segment")
st.caption(
    "Each day counts every exposure of the segment whose 30-day attribution window had ended "
    "by then: the interval narrows as exposures are read."
)
daily = ui.load(data.daily_readouts, publication)
assert daily is not None  # the same file as latest_readouts
one = daily[daily["segment_name"] == chosen]
if one["absolute_lift"].isna().all():
    st.info(texts.NO_EXPOSURES)
else:
    ui.chart(charts.lift_over_time(one))
    ui.chart(charts.conversion_by_arm(one))
    if not one["is_readout_reliable"].iloc[-1]:
        st.caption(texts.NOT_RELIABLE)

st.subheader("All segments on the latest day")
st.dataframe(
    latest[
        [
            "segment_name",
            "treatment_exposed",
            "holdout_exposed",
            "treatment_conversion_rate",
            "holdout_conversion_rate",
            "absolute_lift",
            "absolute_lift_ci_lower",
            "absolute_lift_ci_upper",
            "lift_p_value",
            "is_readout_reliable",
        ]
    ].assign(
        treatment_conversion_rate=lambda f: f["treatment_conversion_rate"] * 100,
        holdout_conversion_rate=lambda f: f["holdout_conversion_rate"] * 100,
        absolute_lift=lambda f: f["absolute_lift"] * 100,
        absolute_lift_ci_lower=lambda f: f["absolute_lift_ci_lower"] * 100,
        absolute_lift_ci_upper=lambda f: f["absolute_lift_ci_upper"] * 100,
    ),
    hide_index=True,
    column_config={
        "segment_name": "Segment",
        "treatment_exposed": "Treatment exposures",
        "holdout_exposed": "Holdout exposures",
        "treatment_conversion_rate": st.column_config.NumberColumn(
            "Treatment conversion (%)", format="%.1f"
        ),
        "holdout_conversion_rate": st.column_config.NumberColumn(
            "Holdout conversion (%)", format="%.1f"
        ),
        "absolute_lift": st.column_config.NumberColumn("Lift (pp)", format="%+.2f"),
        "absolute_lift_ci_lower": st.column_config.NumberColumn(
            "95% interval from (pp)", format="%+.2f"
        ),
        "absolute_lift_ci_upper": st.column_config.NumberColumn(
            "95% interval to (pp)", format="%+.2f"
        ),
        "lift_p_value": st.column_config.NumberColumn("p-value", format="%.3f"),
        "is_readout_reliable": "Enough exposures",
    },
)
