"""The dashboard's entry point: `make dashboard`, or

    SERVING_DIR=serving streamlit run segwarehouse/dashboard/app.py

One page per script in views/, in the order and with the titles of texts.PAGES."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from segwarehouse.dashboard.texts import PAGES

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Segment warehouse dashboard", layout="wide")
navigation = st.navigation(
    [
        st.Page(VIEWS / f"{page.slug}.py", title=page.title, url_path=page.slug, default=not n)
        for n, page in enumerate(PAGES)
    ]
)
navigation.run()
