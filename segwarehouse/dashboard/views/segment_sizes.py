"""Dashboard page: segment sizes day by day, with the customers entering and leaving."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.SIZES)
sizes = ui.require(ui.load(data.segment_sizes, publication), data.KPIS, texts.NO_HISTORY)
latest_day = sizes["kpi_date"].max()
latest = sizes[sizes["kpi_date"] == latest_day]

left, middle, right = st.columns(3)
left.metric("Segments", f"{latest['segment_id'].nunique():,}")
middle.metric("Business days recorded", f"{sizes['kpi_date'].nunique():,}")
right.metric("Latest business day", f"{latest_day:%d %b %Y}")

ui.chart(charts.members_over_time(sizes))

st.subheader("Entering and leaving")
if sizes["members_entered"].notna().any():
    names = sorted(sizes["segment_name"].unique())
    chosen = st.selectbox("Segment", names, key="sizes_segment")
    ui.chart(charts.entries_and_exits(sizes[sizes["segment_name"] == chosen]))
else:
    st.info(texts.FIRST_DAY_ONLY)

st.subheader(f"On {latest_day:%d %B %Y}")
st.dataframe(
    latest[["segment_name", "members", "members_entered", "members_exited", "members_opted_out"]],
    hide_index=True,
    column_config={
        "segment_name": "Segment",
        "members": st.column_config.NumberColumn("Members (customers)", format="localized"),
        "members_entered": st.column_config.NumberColumn("Entered that day"),
        "members_exited": st.column_config.NumberColumn("Left that day"),
        "members_opted_out": st.column_config.NumberColumn("Left because consent ended"),
    },
)
