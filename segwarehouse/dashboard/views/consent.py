"""Dashboard page: consent choices and opt-out rates by purpose, region and source (GPC)."""

import streamlit as st

from segwarehouse.dashboard import charts, data, texts, ui

publication = ui.header(texts.CONSENT)
by_purpose_region = ui.require(
    ui.load(data.consent_rates, publication, "consent_purpose", "privacy_region"),
    data.CONSENT,
    texts.NO_CONSENT,
)
by_source = ui.load(data.consent_rates, publication, "consent_source")
assert by_source is not None  # the same file

choices = int(by_source["choices"].sum())
opt_outs = int(by_source["denials"].sum() + by_source["withdrawals"].sum())
left, middle, right = st.columns(3)
left.metric("Consent choices recorded", f"{choices:,}")
middle.metric("Opt-outs (denials and withdrawals)", f"{opt_outs / choices:.1%}")
right.metric("Global Privacy Control signals", f"{int(by_source['gpc_signals'].sum()):,}")

ui.chart(charts.opt_out_heatmap(by_purpose_region))
ui.chart(charts.opt_out_by_source(by_source))

st.subheader("By channel")
st.dataframe(
    by_source[
        ["consent_source", "choices", "denials", "withdrawals", "gpc_signals", "opt_out_rate"]
    ].assign(opt_out_rate=lambda f: f["opt_out_rate"] * 100),
    hide_index=True,
    column_config={
        "consent_source": "Where the choice came from",
        "choices": "Choices",
        "denials": "Denials",
        "withdrawals": "Withdrawals",
        "gpc_signals": "GPC signals",
        "opt_out_rate": st.column_config.NumberColumn("Opt-out rate (%)", format="%.1f"),
    },
)
