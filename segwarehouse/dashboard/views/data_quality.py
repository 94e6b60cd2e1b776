"""Dashboard page: raw rows logged by staging (quarantined, duplicates, ...), per table, reason
and day."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.QUALITY)
quality = ui.require(ui.load(data.data_quality, publication), data.QUALITY, texts.NO_HISTORY)
latest_day = quality["as_of_date"].max()
latest = quality[quality["as_of_date"] == latest_day]
logged = latest[latest["logged_rows"] > 0]

left, middle, right = st.columns(3)
left.metric(f"Raw rows logged on {latest_day:%d %b %Y}", f"{int(logged['logged_rows'].sum()):,}")
middle.metric(
    "Raw tables with rows logged",
    f"{logged['raw_table'].nunique():,} of {latest['raw_table'].nunique():,}",
)
received = latest.groupby("raw_table")["raw_rows"].max().sum()
right.metric(
    "Share of all raw rows", f"{logged['logged_rows'].sum() / received:.2%}" if received else "-"
)

if quality["logged_rows"].sum() == 0:
    st.info(texts.NO_QUALITY_ISSUES)
else:
    ui.chart(charts.logged_over_time(quality))
    ui.chart(charts.top_reasons(quality))
    ui.chart(charts.logged_share(quality))

st.subheader(f"On {latest_day:%d %B %Y}")
st.dataframe(
    latest[["raw_table", "what_happened", "reason", "logged_rows", "raw_rows", "share_of_raw_rows"]]
    .sort_values("logged_rows", ascending=False)
    .assign(share_of_raw_rows=lambda f: f["share_of_raw_rows"] * 100),
    hide_index=True,
    column_config={
        "raw_table": "Raw table",
        "what_happened": "What happened",
        "reason": "Reason",
        "logged_rows": "Rows logged",
        "raw_rows": "Rows received",
        "share_of_raw_rows": st.column_config.NumberColumn("Share of the table (%)", format="%.2f"),
    },
)
