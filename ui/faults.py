"""A refused action (a GameError) and a storage failure (a full disk, a read-only or damaged
database, PostgreSQL gone) shown as a kind message in the user's language: the host is told
what is wrong and what to do, a student that the game can't save right now. Never a
traceback or a server path."""

from __future__ import annotations

import logging

import streamlit as st

from db.faults import storage_fault
from game.errors import GameError
from ui.i18n import t
from ui.identity import host_credential
from ui.markup import Safe, md

log = logging.getLogger(__name__)


def show_storage_fault(error: BaseException) -> None:
    kind = storage_fault(error)
    log.error("storage failed (%s): %s", kind, error)
    # A signed-in teacher is told what is wrong and what to do; a student only that it waits.
    if host_credential():
        st.error(t(f"storage_{kind}"), icon="🛠️")
    else:
        st.error(t("storage_unavailable"), icon="💾")


def show_error(error: GameError) -> None:
    """A rule's refusal, in the user's language; user text in it stays literal."""
    params = {k: md(v) if isinstance(v, str) else v for k, v in error.params.items()}
    if "reason_key" in error.params:  # a refusal that says which part, in the rule's own words
        params["reason"] = Safe(t(str(error.params["reason_key"]), **params))
    st.error(t(error.key, **params))
