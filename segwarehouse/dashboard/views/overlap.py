"""Dashboard page: how many customers two segments share (Jaccard index heatmap)."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.OVERLAP)
pairs = ui.require(ui.load(data.overlap, publication), data.OVERLAP, texts.NO_OVERLAP)
shared = pairs[pairs["shared_members"] > 0]

left, right = st.columns(2)
left.metric("Segment pairs sharing customers", f"{len(shared) // 2:,}")
right.metric("Largest overlap", f"{pairs['jaccard_index'].max():.0%}")

ui.chart(charts.overlap_heatmap(pairs))

st.subheader("The pairs that share the most customers")
top = pairs[pairs["segment_name"] < pairs["other_segment_name"]].nlargest(10, "shared_members")
st.dataframe(
    top[["segment_name", "other_segment_name", "shared_members", "jaccard_index"]].assign(
        jaccard_index=lambda f: f["jaccard_index"] * 100
    ),
    hide_index=True,
    column_config={
        "segment_name": "Segment",
        "other_segment_name": "Other segment",
        "shared_members": "Customers in both",
        "jaccard_index": st.column_config.NumberColumn("Overlap (% of either)", format="%.1f"),
    },
)
