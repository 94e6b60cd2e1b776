"""Dashboard page: exposures that broke a rule, per segment, reason and day."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.VIOLATIONS)
count = ui.load(data.violation_count, publication)
rows = ui.require(ui.load(data.violations, publication), data.VIOLATIONS, texts.NO_VIOLATIONS)

left, middle, right = st.columns(3)
exposures = 0 if count is None else int(count["exposures"].iloc[0])
left.metric("Exposures with a violation", f"{exposures:,}")
middle.metric("Segments concerned", f"{rows['segment_id'].nunique():,}")
right.metric("Distinct reasons", f"{rows['reason'].nunique():,}")

ui.chart(charts.violations_by_segment(rows))
ui.chart(charts.violations_over_time(rows))

st.subheader("Per segment and reason")
table = rows.groupby(["segment_name", "reason_text", "reason"], as_index=False)["exposures"].sum()
st.dataframe(
    table.sort_values("exposures", ascending=False),
    hide_index=True,
    column_config={
        "segment_name": "Segment",
        "reason_text": "Reason",
        "reason": "Reason code (compliance_issue)",
        "exposures": "Exposures",
    },
)
