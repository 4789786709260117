"""What every page needs in the browser for accessibility, which Streamlit does not do: the
document's language is the visitor's (`<html lang="ko">` on a Korean page, so a screen reader
uses a Korean voice), and a *Skip to main content* link is the first thing the keyboard
reaches. A tiny browser component run by the router on every page."""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data } = component;
  const html = document.documentElement;
  if (html.lang !== data.lang) html.lang = data.lang;
  let skip = document.getElementById("pm-skip");
  if (!skip) {
    skip = document.createElement("a");
    skip.id = "pm-skip";
    skip.href = "#";
    skip.className = "pm-skip";
    skip.addEventListener("click", (event) => {
      event.preventDefault();
      const main = document.querySelector('[data-testid="stMainBlockContainer"]');
      if (!main) return;
      // The first field or button of the page, else the page's heading.
      const first = main.querySelector("input:not([type=hidden]), textarea, button, a[href]");
      const target = first || main;
      if (target === main) main.setAttribute("tabindex", "-1");
      target.focus();
    });
    document.body.prepend(skip);
  }
  skip.textContent = data.skip;
}
"""

# The skip link is off screen until it has the keyboard's focus; the focus ring is always seen.
_STYLE = """<style>
.pm-skip { position: absolute; left: -10000px; top: .5rem; z-index: 1000000; padding: .6rem 1rem;
  background: #fff; color: #0b3d91; font-weight: 700; border: 3px solid #0b3d91; border-radius: .4rem; }
.pm-skip:focus { left: .5rem; }
:focus-visible { outline: 3px solid #0b3d91 !important; outline-offset: 2px; }
/* Streamlit fades captions with opacity .6 (about 3:1): the same grey, at full opacity, is 8:1. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p { color: #4a4d57 !important; }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after {
  animation-duration: .01ms !important; animation-iteration-count: 1 !important; transition-duration: .01ms !important;
  scroll-behavior: auto !important; } }
</style>"""

_component = st.components.v2.component("promptmatch_page", js=_JS)


def page_setup(language: str, skip_label: str) -> None:
    st.html(_STYLE)
    _component(data={"lang": language, "skip": skip_label}, key="page_setup")
