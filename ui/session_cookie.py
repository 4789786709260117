"""The browser's half of signing in and out.

A Streamlit script run cannot set a cookie, and a teacher's session must never be in an
address. So the sign-in page, once the rules have checked the password (game/accounts.py),
hands this component a one-time ticket (60 s, used once); the component posts it to
`/auth/session` (server/routes.py), which answers with the session's HttpOnly cookie, and then
opens the teacher's next page. Signing out posts to `/auth/signout`, which clears the cookie
(the session itself was already deleted by the rules, so every tab that used it is signed out).
"""

from __future__ import annotations

import secrets

import streamlit as st

_HTML = '<p class="pm-auth" role="status"></p>'

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const status = parentElement.querySelector(".pm-auth");
  if (parentElement.__pmSent === data.nonce) return;  // one request per drawing, not per rerun
  parentElement.__pmSent = data.nonce;
  status.textContent = data.waiting;
  fetch(data.url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data.body),
    credentials: "same-origin",
    cache: "no-store",
  })
    .then((answer) => {
      if (answer.ok) window.location.replace(data.next);
      else status.textContent = data.failed;
    })
    .catch(() => { status.textContent = data.failed; });
}
"""

_component = st.components.v2.component("promptmatch_auth", html=_HTML, js=_JS)


def _post(url: str, body: dict[str, str], next_page: str, waiting: str, failed: str, nonce: str) -> None:
    _component(
        data={"url": url, "body": body, "next": next_page, "waiting": waiting, "failed": failed, "nonce": nonce},
        key="auth_" + nonce,
    )


def adopt_ticket(ticket: str, next_page: str, waiting: str, failed: str) -> None:
    """Exchange the ticket for the session cookie, then open `next_page` (a path of this site)."""
    _post("/auth/session", {"ticket": ticket}, next_page, waiting, failed, nonce=secrets.token_hex(6))


def clear_cookie(next_page: str, waiting: str, failed: str) -> None:
    _post("/auth/signout", {}, next_page, waiting, failed, nonce=secrets.token_hex(6))
