"""Addresses students can open: the join link and its QR code."""

from __future__ import annotations

import io
import socket
from urllib.parse import urlsplit

import qrcode
import streamlit as st

from ui.services import settings

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", ""}


def _lan_address() -> str | None:
    """This machine's address on the school network, from its own name (sends no traffic)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for info in infos:
        address = str(info[4][0])
        if not address.startswith("127."):
            return address
    return None


def base_url() -> str:
    configured = settings().public_url
    if configured:
        return configured.rstrip("/")
    browser_url = st.context.url or "http://localhost:8501/"
    parts = urlsplit(browser_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    if host in _LOCAL_HOSTS:
        host = _lan_address() or host or "localhost"
    return f"{parts.scheme or 'http'}://{host}{port}"


def join_link(code: str) -> str:
    return f"{base_url()}/play?code={code}"


def qr_png(link: str) -> bytes:
    image = qrcode.make(link, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
