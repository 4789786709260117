"""A storage failure (a full disk, a read-only or damaged database, PostgreSQL gone) shown as
a kind message in the user's language: the host is told what is wrong and what to do, a
student that the game can't save right now. Never a traceback or a server path."""

from __future__ import annotations

import logging

import streamlit as st

from db.faults import storage_fault
from ui.i18n import t

log = logging.getLogger(__name__)


def show_storage_fault(error: BaseException) -> None:
    kind = storage_fault(error)
    log.error("storage failed (%s): %s", kind, error)
    if st.query_params.get("host"):
        st.error(t(f"storage_{kind}"), icon="🛠️")
    else:
        st.error(t("storage_unavailable"), icon="💾")
