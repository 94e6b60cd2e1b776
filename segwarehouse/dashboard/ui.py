"""What every dashboard page shares: its header, the publication it reads, cached queries and
the explained empty states."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import altair as alt
import pandas as pd
import streamlit as st

from segwarehouse.dashboard import data, texts

Query = Callable[..., pd.DataFrame | None]


def header(page: texts.Page) -> data.Publication:
    """The page's title and intro, and the publication it reads (stops the page when nothing
    is published)."""
    st.title(page.title)
    st.markdown(page.intro)
    serving = data.serving_dir()
    publication = data.current_publication(serving)
    if publication is None:
        stop(texts.NOTHING_PUBLISHED.format(serving=serving))
    st.caption(
        f"Published data as of business day {publication.as_of or 'unknown'} "
        f"(publication {publication.stamp}, published {publication.published_at or '?'} UTC)."
    )
    return publication


@st.cache_data(show_spinner=False, max_entries=128)
def _load(
    name: str, folder: str, args: tuple[str, ...], _publication: data.Publication
) -> pd.DataFrame | None:
    """Cached by query and publication folder: a new publication is a new folder."""
    query: Query = getattr(data, name)
    return query(_publication, *args)


def load(query: Query, publication: data.Publication, *args: str) -> pd.DataFrame | None:
    return _load(query.__name__, str(publication.folder), args, publication)


def stop(message: str) -> NoReturn:
    st.info(message)
    st.stop()
    raise AssertionError("unreachable")  # st.stop ends the script run


def require(frame: pd.DataFrame | None, relation: str, empty: str) -> pd.DataFrame:
    """The rows, or the page stops with why there are none: the file is not published, or it
    holds no row (`empty` says what that means)."""
    if frame is None:
        stop(texts.MISSING.format(relation=relation))
    if frame.empty:
        stop(empty)
    return frame


def chart(figure: alt.TopLevelMixin) -> None:
    st.altair_chart(figure, width="stretch")
