"""Who is looking at the page: the game code, the host token or the player token.

They live in the URL's query parameters, so a reload (or a bookmark) keeps the same host or
player. Only hashes of the tokens are stored in the database.
"""

from __future__ import annotations

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
