"""The one live piece of every page: a small browser component that keeps the page current
without the server running the page again and again.

The page is drawn once, with the change counters it was drawn at (game/live.py). In the
browser, this component
- holds one waiting request, `/api/live/<code>/wait` with the counters the page was drawn at,
  which the server answers when one of them moves (or after ~25 s: then it asks again), and
  then asks Streamlit for one rerun of the page; a hidden tab asks every 5 s instead, and a
  lost connection is asked again later and later (1 … 30 s), saying so on the page;
- runs the countdown from the round's deadline (corrected for the browser's clock), a
  visible tick each second, and reruns the page once when the time is up;
- shows a queued attempt's place in line from the same answer.
So an idle page costs the server one request every 25 s, and a change reaches every page as
soon as the server hears of it (server/live_feed.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import streamlit as st

from db.types import utcnow
from game.live import GameVersions
from ui.i18n import t

CLASS_PAGE_GAP_MS = 1000

# A counter's name in the answer, and the query parameter that says the value it was drawn at.
_ROUTE_NAMES = {"game": "game", "shared": "shared", "player": "player_version"}

# The countdown is not a live region (a screen reader would read it every second): the last
# minute and the end are said through the polite region, with what the page announces (a new
# score, the reveal) and the place in line when it changes. Focus never moves.
_HTML = (
    '<div class="pm-live"><div class="pm-countdown"></div><div class="pm-queue"></div>'
    '<div class="pm-offline" role="alert"></div>'
    '<div class="pm-announce" role="status" aria-live="polite" aria-atomic="true"></div></div>'
)

_CSS = """
.pm-live { font-family: var(--st-font); }
.pm-countdown { font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.1; }
.pm-countdown.normal { font-size: 2.2rem; }
.pm-countdown.huge { font-size: 5.5rem; }
.pm-countdown.urgent { color: var(--st-red-color, #d33); }
.pm-countdown:empty, .pm-queue:empty, .pm-offline:empty { display: none; }
.pm-offline { margin-top: .25rem; padding: .5rem .75rem; border-radius: var(--st-base-radius, .5rem);
  background: #fff3cd; color: #3d2e00; }
.pm-announce { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media (prefers-reduced-motion: reduce) { .pm-countdown { transition: none; } }
.pm-queue { margin-top: .25rem; padding: .5rem .75rem; border-radius: var(--st-base-radius, .5rem);
  background: var(--st-secondary-background-color, #f0f2f6); }
"""

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement;
  if (root.__pmStop) root.__pmStop();  // a previous drawing of this component
  const countdown = root.querySelector(".pm-countdown");
  const queue = root.querySelector(".pm-queue");
  const announcer = root.querySelector(".pm-announce");
  const offline = root.querySelector(".pm-offline");
  function say(text) {
    if (!text || root.__pmSaid === text) return;
    root.__pmSaid = text;
    announcer.textContent = text;
  }
  say(data.announce);
  const clockOffset = data.server_now_ms - Date.now();  // server clock minus this browser's
  let stopped = false, fired = false, tickTimer = null, pollTimer = null, gapTimer = null;
  const drawnAt = Date.now();

  function rerun(reason) {
    if (fired || stopped) return;
    fired = true;
    // A page that follows a whole class (the board, the console) is drawn at most once per
    // `min_gap_ms`: thirty results in a second make one run of it, not thirty.
    const early = drawnAt + (data.min_gap_ms || 0) - Date.now();
    const ask = () => { if (!stopped) setTriggerValue("changed", reason + ":" + Date.now()); };
    if (early > 0 && reason !== "deadline") gapTimer = setTimeout(ask, early); else ask();
  }

  function showCountdown() {
    if (!data.countdown || data.ends_at_ms == null) { countdown.textContent = ""; return; }
    countdown.className = "pm-countdown " + (data.countdown.size || "normal");
    const leftMs = data.ends_at_ms - (Date.now() + clockOffset);
    const left = Math.max(0, Math.ceil(leftMs / 1000));
    if (left <= 0) {
      countdown.textContent = data.countdown.done;
      say(data.countdown.done);
      rerun("deadline");
      return;
    }
    if (left <= 60 && data.countdown.last_minute) say(data.countdown.last_minute);
    const minutes = Math.floor(left / 60), seconds = String(left % 60).padStart(2, "0");
    countdown.textContent = data.countdown.template.replace("{minutes}", minutes).replace("{seconds}", seconds);
    countdown.classList.toggle("urgent", left <= 10);
    // Wake up just after the next whole second of the countdown: one tick a second.
    tickTimer = setTimeout(showCountdown, (leftMs % 1000 || 1000) + 15);
  }

  function showQueue(position) {
    if (!data.queue || position == null) { queue.textContent = ""; return; }
    queue.textContent = position === 0 ? data.queue.drawing : data.queue.template.replace("{position}", position);
    say(queue.textContent);
  }

  // One waiting request at a time: the server answers when a watched counter moves (or after
  // ~25 s, and then we ask again at once). A hidden tab asks every few seconds instead, so
  // background tabs do not each hold one of the browser's few connections to the server.
  let failures = 0, controller = null, turn = 0;
  const seen = new URLSearchParams(data.wait_query);
  function showOffline(on) { offline.textContent = on ? data.offline : ""; }
  function askAgain(delay) {
    clearTimeout(pollTimer);
    if (!stopped) pollTimer = setTimeout(wait, delay);
  }
  async function wait() {
    if (stopped) return;
    const mine = ++turn;  // a newer wait (the tab came to the front) supersedes this one
    const hidden = document.hidden;
    const query = new URLSearchParams(seen);
    if (hidden) query.set("timeout", "0");
    controller = new AbortController();
    const giveUp = setTimeout(() => controller.abort(), 40000);  // a proxy that swallowed it
    let answer = null;
    try {
      const response = await fetch(data.wait_url + "?" + query, { cache: "no-store", signal: controller.signal });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (error) {
      answer = null;
    } finally { clearTimeout(giveUp); }
    if (stopped || mine !== turn) return;
    if (answer === null) {
      // The server is restarting or gone: ask again later and later (1, 2, 4 … 30 s).
      failures += 1;
      if (failures >= 2) showOffline(true);
      askAgain(Math.min(30000, 1000 * 2 ** (failures - 1)));
      return;
    }
    failures = 0;
    showOffline(false);
    if (answer.gone) { rerun("gone"); return; }
    for (const [name, value] of Object.entries(data.versions)) {
      if (answer[name] !== value) { rerun(name); return; }
    }
    if ("position" in answer) showQueue(answer.position);
    askAgain(hidden ? 5000 : 0);
  }
  function onVisible() {  // back in front: ask at once, without the hidden tab's pause
    if (document.hidden || stopped) return;
    turn += 1;  // the wait in flight, if any, is no longer listened to
    failures = 0;
    if (controller) controller.abort();
    askAgain(0);
  }
  document.addEventListener("visibilitychange", onVisible);

  root.__pmStop = () => {
    stopped = true; clearTimeout(tickTimer); clearTimeout(pollTimer); clearTimeout(gapTimer);
    if (controller) controller.abort();
    document.removeEventListener("visibilitychange", onVisible);
  };
  showCountdown();
  showQueue(data.queue ? data.queue.position : null);
  pollTimer = setTimeout(wait, 0);
  return root.__pmStop;
}
"""

_component = st.components.v2.component("promptmatch_live", html=_HTML, css=_CSS, js=_JS)


@dataclass(frozen=True)
class Countdown:
    ends_at: datetime
    template: str  # "⏱ {minutes}:{seconds} left", in the page's language
    done: str  # "Time is up"
    size: str = "normal"  # normal | huge (the projector)
    last_minute: str | None = None  # said once when a minute is left


@dataclass(frozen=True)
class QueueLine:
    submission_id: int
    position: int
    template: str  # "In the queue: position {position}"
    drawing: str  # "Drawing your image…", once a worker has taken it


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def live_page(
    code: str,
    versions: GameVersions | None,
    *,
    watch: tuple[str, ...] = ("game",),
    player_id: int | None = None,
    countdown: Countdown | None = None,
    queue: QueueLine | None = None,
    key: str = "live",
    announce: str | None = None,
    min_gap_ms: int | None = None,
) -> None:
    """Keep this page current: rerun it when a watched counter moves or the time is up.
    `announce`: what a screen reader should say of this drawing (said once, politely).
    `min_gap_ms`: the least time between two drawings; by default a second for a page that
    watches the whole game (its every attempt), none for a student's own page."""
    if min_gap_ms is None:
        min_gap_ms = CLASS_PAGE_GAP_MS if "game" in watch else 0
    if versions is None:
        return
    seen: dict[str, int] = {"game": versions.version, "shared": versions.shared}
    if player_id is not None:
        seen["player"] = versions.players.get(player_id, -1)
    watched = {name: seen[name] for name in watch}
    # What the waiting request carries: the counters the page was drawn at, by their route names.
    query: dict[str, int] = {_ROUTE_NAMES[name]: value for name, value in watched.items()}
    if player_id is not None:
        query["player"] = player_id
    if queue is not None:
        query["queued"] = queue.submission_id
    _component(
        data={
            "wait_url": f"/api/live/{quote(code)}/wait",
            "wait_query": {name: str(value) for name, value in query.items()},
            "versions": watched,
            "min_gap_ms": min_gap_ms,
            "offline": t("live_offline"),
            "server_now_ms": _ms(utcnow()),
            "ends_at_ms": _ms(countdown.ends_at) if countdown else None,
            "countdown": (
                {
                    "template": countdown.template,
                    "done": countdown.done,
                    "size": countdown.size,
                    "last_minute": countdown.last_minute,
                }
                if countdown
                else None
            ),
            "announce": announce,
            "queue": (
                {"template": queue.template, "drawing": queue.drawing, "position": queue.position} if queue else None
            ),
        },
        key=key,
        on_changed_change=_ignore,
    )


def _ignore() -> None:
    """The trigger's only job is the rerun it causes."""
