"""A page as the server sees it: Streamlit's websocket protocol, no browser.

One `PageClient` opens `/_stcore/stream`, asks for a page (`page_name`, query string) and then
behaves like the real page in a browser, one script run at a time:

- the live component of `ui/live.py` is found in the page's elements; its data names the
  waiting endpoint and the versions the page was drawn at, so the client holds one waiting
  request (asyncio, no thread) and asks for a rerun when it comes back with a version moved,
  as the component's JavaScript does;
- `submit()` sends a form's text and its submit button, as a click does.

Every message is kept with its arrival time, so a benchmark can tell when a text (a score, a
nickname) first reached the page.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

LIVE_COMPONENT = "live"  # the name ui/live.py registers its component under (a suffix of it)


@dataclass
class Received:
    at: float  # time.time()
    data: bytes


@dataclass
class PageClient:
    base_url: str  # http://127.0.0.1:8501
    page: str  # url path of the page: "board", "play", "results"
    query: str  # "code=ABCDEF&token=…"
    cookies: dict[str, str] = field(default_factory=dict)  # e.g. a teacher's session cookie
    messages: list[Received] = field(default_factory=list)
    runs_started: int = 0
    runs_finished: int = 0
    first_finished_at: float | None = None
    widget_ids: dict[str, str] = field(default_factory=dict)  # user key -> widget id
    live_requests: int = 0  # requests the live component sent
    _ws: websockets.ClientConnection | None = None
    _running: bool = False
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _live: dict[str, object] | None = None
    _live_drawn_at: float = 0.0
    _live_task: asyncio.Task[None] | None = None
    _page_hash: str = ""
    _closed: bool = False

    async def run(self) -> None:
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        async with websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, open_timeout=120, additional_headers=headers
        ) as ws:
            self._ws = ws
            await self._rerun()
            try:
                async for raw in ws:
                    self._receive(raw if isinstance(raw, bytes) else raw.encode())
            except websockets.ConnectionClosed:
                pass
            finally:
                self._closed = True
                if self._live_task is not None:
                    self._live_task.cancel()

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    # -- what the browser sends --------------------------------------------------------------
    async def _rerun(self, *, widgets: list[WidgetState] | None = None) -> None:
        if self._ws is None or self._closed:
            return
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self._page_hash
        for widget in widgets or []:
            state.widget_states.widgets.append(widget)
        self._running = True
        self._idle.clear()
        self.runs_started += 1
        await self._ws.send(message.SerializeToString())

    def latest_key(self, prefix: str) -> str:
        """The newest of numbered keys (`prompt_0`, `prompt_1`, …): a form gets new keys after
        each stored attempt (app_pages/play.py)."""
        numbered = [k for k in self.widget_ids if k.startswith(prefix) and k[len(prefix) :].isdigit()]
        if not numbered:
            raise KeyError(f"no widget key {prefix}<n> on the page (keys: {sorted(self.widget_ids)})")
        return max(numbered, key=lambda k: int(k[len(prefix) :]))

    async def submit(self, text_key: str, text: str, button_key: str) -> None:
        """Type into a form's text box and press its submit button."""
        await self.wait_idle()
        widgets = [
            WidgetState(id=self.widget_ids[text_key], string_value=text),
            WidgetState(id=self.widget_ids[button_key], trigger_value=True),
        ]
        await self._rerun(widgets=widgets)

    async def wait_idle(self, timeout: float = 300) -> None:
        await asyncio.wait_for(self._idle.wait(), timeout)

    # -- what the server sends ---------------------------------------------------------------
    def _receive(self, raw: bytes) -> None:
        now = time.time()
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "delta":
            self.messages.append(Received(now, raw))
            self._note_element(message)
        elif kind == "navigation":
            for page in message.navigation.app_pages:
                if page.url_pathname == self.page:
                    self._page_hash = page.page_script_hash
        elif kind == "script_finished":
            self.runs_finished += 1
            self.first_finished_at = self.first_finished_at or now
            self._running = False
            self._idle.set()

    def _note_element(self, message: ForwardMsg) -> None:
        element = message.delta.new_element
        which = element.WhichOneof("type")
        if which is None:
            return
        body = getattr(element, which)
        widget_id = getattr(body, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            self.widget_ids[widget_id.rsplit("-", 1)[-1]] = widget_id
        if which == "bidi_component" and body.component_name.endswith(LIVE_COMPONENT):
            self._live = json.loads(body.json or "{}")
            self._live_drawn_at = time.time()
            if self._live_task is None:
                self._live_task = asyncio.create_task(self._poll_live())

    async def _poll_live(self) -> None:
        """The live component's loop: wait for a change; rerun when a version moved."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as http:
            while not self._closed:
                live = self._live or {}  # as the page drew it last (a rerun may have come meanwhile)
                if self._running or not (live.get("wait_url") or live.get("url")):
                    await asyncio.sleep(0.05)
                    continue
                drawn = live
                try:
                    self.live_requests += 1
                    if "wait_url" in live:
                        response = await http.get(str(live["wait_url"]), params=live.get("wait_query", {}))
                    else:  # a page of the version before (for the same-machine baseline): ask each second
                        await asyncio.sleep(float(live.get("interval_ms", 1000)) / 1000)  # type: ignore[arg-type]
                        if self._running or self._live is not drawn:
                            continue
                        response = await http.get(str(live["url"]))
                    current = response.json()
                except (httpx.HTTPError, ValueError):
                    await asyncio.sleep(1)
                    continue
                if self._live is not drawn:  # the page ran meanwhile: wait with its new versions
                    continue
                watched = live.get("versions", {})
                assert isinstance(watched, dict)
                if current.get("gone") or any(current.get(name) != value for name, value in watched.items()):
                    gap = float(live.get("min_gap_ms", 0)) / 1000 - (time.time() - self._live_drawn_at)  # type: ignore[arg-type]
                    if gap > 0:  # as the component does: a class's page is drawn at most once per gap
                        await asyncio.sleep(gap)
                    await self._rerun()

    # -- what a benchmark asks ---------------------------------------------------------------
    def first_seen(self, needle: bytes, after: float) -> float | None:
        for received in self.messages:
            if received.at >= after and needle in received.data:
                return received.at
        return None
