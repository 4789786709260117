"""The one live piece of every page: a small browser component that keeps the page current
without the server running the page again and again.

The page is drawn once, with the change counters it was drawn at (game/live.py). In the
browser, this component
- asks `/api/live/<code>` once a second (every 3 s in a hidden tab) and, when a counter the
  page watches has moved, asks Streamlit for one rerun of the page;
- runs the countdown from the round's deadline (corrected for the browser's clock), a
  visible tick each second, and reruns the page once when the time is up;
- shows a queued attempt's place in line from the same answer.
So an idle class costs the server one cached lookup per page and second, and a change
reaches every page within about a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import streamlit as st

from db.types import utcnow
from game.live import GameVersions

# The countdown is not a live region (a screen reader would read it every second): the last
# minute and the end are said through the polite region, with what the page announces (a new
# score, the reveal) and the place in line when it changes. Focus never moves.
_HTML = (
    '<div class="pm-live"><div class="pm-countdown"></div><div class="pm-queue"></div>'
    '<div class="pm-announce" role="status" aria-live="polite" aria-atomic="true"></div></div>'
)

_CSS = """
.pm-live { font-family: var(--st-font); }
.pm-countdown { font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.1; }
.pm-countdown.normal { font-size: 2.2rem; }
.pm-countdown.huge { font-size: 5.5rem; }
.pm-countdown.urgent { color: var(--st-red-color, #d33); }
.pm-countdown:empty, .pm-queue:empty { display: none; }
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
  function say(text) {
    if (!text || root.__pmSaid === text) return;
    root.__pmSaid = text;
    announcer.textContent = text;
  }
  say(data.announce);
  const clockOffset = data.server_now_ms - Date.now();  // server clock minus this browser's
  let stopped = false, fired = false, tickTimer = null, pollTimer = null;

  function rerun(reason) {
    if (fired || stopped) return;
    fired = true;
    setTriggerValue("changed", reason + ":" + Date.now());
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

  async function poll() {
    if (stopped) return;
    try {
      const answer = await (await fetch(data.url, { cache: "no-store" })).json();
      if (answer.gone) { rerun("gone"); return; }
      for (const [name, seen] of Object.entries(data.versions)) {
        if (answer[name] !== seen) { rerun(name); return; }
      }
      if ("position" in answer) showQueue(answer.position);
    } catch (error) { /* the server is busy or restarting: ask again next time */ }
    if (!stopped) pollTimer = setTimeout(poll, document.hidden ? 3000 : data.interval_ms);
  }

  root.__pmStop = () => { stopped = true; clearTimeout(tickTimer); clearTimeout(pollTimer); };
  showCountdown();
  showQueue(data.queue ? data.queue.position : null);
  pollTimer = setTimeout(poll, data.interval_ms);
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
    interval_ms: int = 1000,
    key: str = "live",
    announce: str | None = None,
) -> None:
    """Keep this page current: rerun it when a watched counter moves or the time is up.
    `announce`: what a screen reader should say of this drawing (said once, politely)."""
    if versions is None:
        return
    seen: dict[str, int] = {"game": versions.version, "shared": versions.shared}
    if player_id is not None:
        seen["player"] = versions.players.get(player_id, -1)
    params: dict[str, int] = {}
    if player_id is not None:
        params["player"] = player_id
    if queue is not None:
        params["queued"] = queue.submission_id
    url = f"/api/live/{code}" + (f"?{urlencode(params)}" if params else "")
    _component(
        data={
            "url": url,
            "versions": {name: seen[name] for name in watch},
            "interval_ms": interval_ms,
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
