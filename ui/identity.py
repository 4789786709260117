"""Who is looking at the page: the game code, the teacher's session, the player token.

The game code and a student's player token live in the address (a reload or a bookmark keeps
the same player); the teacher's session lives only in an HttpOnly cookie (set by the
`/auth/session` route, server/routes.py), so no teacher secret is ever in an address. Only
hashes of tokens and sessions are stored in the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import streamlit as st

from game.accounts import DEVICE_COOKIE, SESSION_COOKIE
from game.tokens import normalize_join_code


def query_value(name: str) -> str | None:
    value = st.query_params.get(name)
    return value or None


def game_code() -> str | None:
    raw = query_value("code")
    return normalize_join_code(raw) if raw else None


def _cookies() -> Mapping[str, str]:
    """The cookies the browser sent (a seam for AppTest, which cannot send any)."""
    return st.context.cookies


def device_cookie() -> str | None:
    """This browser's device cookie (HttpOnly, set at a successful sign-in): its own allowance
    of wrong passwords (game/accounts.py, sign_in)."""
    value = _cookies().get(DEVICE_COOKIE)
    return value if isinstance(value, str) and value else None


def client_address() -> str | None:
    """The browser's address as the server sees it (one client's wrong passwords count
    together); None where Streamlit does not know it."""
    value = st.context.ip_address
    return value[:64] if isinstance(value, str) and value else None


def host_credential() -> str | None:
    """The signed-in teacher's session id, from its cookie: what every host action presents."""
    value = _cookies().get(SESSION_COOKIE)
    return value if isinstance(value, str) and value else None


def old_host_key() -> str | None:
    """The host key in the address of a game made before accounts (claimed once, then dropped)."""
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
