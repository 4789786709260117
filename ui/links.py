"""Addresses students can open: the join link and its QR code."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import socket
from urllib.parse import urlencode, urlsplit

import psutil
import qrcode
import streamlit as st

from ui.i18n import current_language
from ui.services import settings

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", ""}


def _lan_address() -> str | None:
    """This machine's address on the school network: a private IPv4 address of one of its
    network cards (read from the system, no traffic sent), else one its name resolves to."""
    candidates: list[str] = []
    for addresses in psutil.net_if_addrs().values():
        candidates += [a.address for a in addresses if a.family == socket.AF_INET]
    with contextlib.suppress(OSError):
        candidates += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    usable = [a for a in candidates if not ipaddress.ip_address(a).is_loopback and not a.startswith("169.254.")]
    private = [a for a in usable if ipaddress.ip_address(a).is_private]
    return (private or usable or [None])[0]  # type: ignore[list-item]


def is_loopback(link: str) -> bool:
    """True when the address only works on this computer (students could not open it)."""
    host = urlsplit(link).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def page_origin() -> str:
    """scheme://host:port as this browser reached the server (for links it opens itself)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}"


def board_link(code: str) -> str:
    return f"{page_origin()}/board?{urlencode({'code': code, 'lang': current_language()})}"


def results_link(code: str) -> str:
    """The results page; the teacher's session cookie authorises it, nothing in the address."""
    return f"{page_origin()}/results?{urlencode({'code': code, 'lang': current_language()})}"


def qr_png(link: str) -> bytes:
    image = qrcode.make(link, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
