"""The dashboard (Streamlit, `make dashboard`) and the chart specs it shares with the static
report (`make report`, segwarehouse.tools.report). Both read the published Parquet files only
(segwarehouse.dashboard.data)."""
