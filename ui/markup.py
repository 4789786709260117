"""User text inside Markdown and HTML: escaped, so a nickname is never markup and never a link."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")


# Markdown turns web and mail addresses into links even when their punctuation is escaped
# (GFM "autolink literals": www.…, https://…, kid@…). An invisible WORD JOINER after each
# '.', ':' and '@' (before and after) breaks every such pattern and changes nothing a person sees.
_LINK_PUNCTUATION = re.compile(r"(\\?[.:@])")
WORD_JOINER = "\u2060"


class Safe(str):
    """Text that is already Markdown on purpose (escaped user text, or an address of our own
    that should stay a link): `ui.i18n.t` passes it into a message as it is."""

    __slots__ = ()


def md(text: str) -> Safe:
    """User text for st.markdown/st.title/headings: `**bold**` and `:red[x]` stay literal,
    and `www.evil.example`, `https://bit.ly/x` or `kid@evil.example` never become links."""
    if isinstance(text, Safe):
        return text
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return Safe(_LINK_PUNCTUATION.sub(rf"{WORD_JOINER}\1{WORD_JOINER}", escaped))


def html_text(text: str) -> str:
    """User text as HTML text: escaped, so it is never markup and never a link."""
    return html.escape(text, quote=True)
