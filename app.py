"""The web server: Streamlit's pages (streamlit_app.py) plus the HTTP routes the pages use
(server/routes.py). `make run` starts this file with `streamlit run app.py`."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from server.maintenance import start_housekeeping
from server.routes import routes
from server.shutdown import answer_pages_before_stopping
from server.startup import STARTUP_ERRORS, startup_failure
from ui.services import settings, start_background_work, stop_background_work


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    # The embedded worker loads its models before the first student waits.
    try:
        start_background_work()
    except STARTUP_ERRORS as error:  # a damaged, unreachable or newer database: say so, stop
        print(startup_failure(error, settings()), file=sys.stderr, flush=True)
        os._exit(2)  # before serving anything; a raised error would print the whole traceback
    start_housekeeping(settings().database_url)  # the daily backup
    answer_pages_before_stopping()  # SIGTERM: stop within a second (server/shutdown.py)
    yield
    stop_background_work()


app = st.App("streamlit_app.py", routes=routes(), lifespan=lifespan)
