"""Who is looking at the page: the game code, the host token or the player token.

They live in the URL's query parameters, so a reload (or a bookmark) keeps the same host or
player. Only hashes of the tokens are stored in the database.
"""

from __future__ import annotations

import secrets

import streamlit as st

from game.tokens import normalize_join_code


def query_value(name: str) -> str | None:
    value = st.query_params.get(name)
    return value or None


def game_code() -> str | None:
    raw = query_value("code")
    return normalize_join_code(raw) if raw else None


def host_token() -> str | None:
    return query_value("host")


def player_token() -> str | None:
    return query_value("token")


def remember(**values: str) -> None:
    for name, value in values.items():
        st.query_params[name] = value


XSRF_COOKIE = "_streamlit_xsrf"


def browser_id() -> str:
    """What tells this browser apart from others, across reloads: the secret inside
    Streamlit's XSRF cookie (set on every page load; its text changes each time, the token
    inside does not). Without the cookie (XSRF protection off), this tab's session."""
    raw = st.context.cookies.get(XSRF_COOKIE)
    if raw:
        try:
            from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

            token, _timestamp = decode_xsrf_token_string(raw)
        except ImportError:  # another Streamlit server layout: the cookie as it is
            token = raw.encode()
        if token:
            return "xsrf:" + token.hex()
    return "session:" + st.session_state.setdefault("browser_session", secrets.token_urlsafe(16))
