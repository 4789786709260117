"""The web server: Streamlit's pages (streamlit_app.py) plus the HTTP routes the pages use
(server/routes.py). `make run` starts this file with `streamlit run app.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from server.routes import routes
from ui.services import start_background_work


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    # The embedded worker loads its models before the first student waits.
    start_background_work()
    yield


app = st.App("streamlit_app.py", routes=routes(), lifespan=lifespan)
