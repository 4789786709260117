"""HTTP routes the pages use instead of rerunning themselves.

- `GET /api/live/{code}/wait?game=V&shared=S&player=ID&player_version=P&queued=SUBMISSION`
  — the same answer as below, given when a counter the page was drawn at (`game`, `shared`,
  `player_version`) has moved, or after `WAIT_S` (25 s) if none did. Every open page holds one
  of these (ui/live.py) and reruns when it comes back changed. The request waits on the
  process's live feed (server/live_feed.py): no thread and no query per waiting page. With
  `queued`, it comes back within `QUEUE_S` (1.5 s) with the attempt's place in line.
- `GET /api/live/{code}?player=ID&queued=SUBMISSION` — the game's change counters (and a
  queued attempt's place in line), at once. Scripts and the pages of an older version ask
  this; answers come from one snapshot per game, refreshed at most every `SNAPSHOT_TTL_S`.
- `GET /api/images/{id}/{signature}` — a stored picture, cacheable for good (game/media.py).
- `GET /api/games/{code}/download/{name}?lang=…` — the results downloads, built when
  clicked; the ZIP is streamed one picture at a time. Authorised by the teacher's session
  cookie: only the game's own teacher gets them.
- `GET /api/lessons/{id}/export?lang=…` — a lesson as its file (game/lesson_file.py), for
  its owner and, when it is shared, every teacher of the server (the session cookie says who).
- `POST /auth/session` — a sign-in ticket (JSON `{"ticket": …}`, handed to the sign-in page
  once) exchanged for the session's HttpOnly, SameSite=Lax cookie; `POST /auth/signout`
  ends the session and clears the cookie.

Handlers that touch the database run in Starlette's thread pool, never on the event loop.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from config import load_settings
from db.session import Database, shared_database
from game.accounts import (
    DEVICE_COOKIE,
    DEVICE_LIFETIME,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    device_cookie_for,
    open_session,
    sign_out,
)
from game.errors import GameError
from game.exports import DOWNLOADS, document, zip_chunks
from game.games import require_host
from game.lesson_file import export_lesson
from game.live import GameVersions, game_versions
from game.media import StoredImage, image_secret, signed_image
from game.report import Label
from game.submissions import queue_position
from server.live_feed import WAIT_S, Seen, live_feed
from server.strangers import WINDOW_S, strangers
from ui.i18n import translate

SNAPSHOT_TTL_S = 0.25
QUEUE_S = 1.5  # a claim moves no counter: a queued attempt's place is looked at this often
NO_STORE = {"Cache-Control": "no-store"}
FOREVER = {"Cache-Control": "private, max-age=31536000, immutable"}


def _database() -> Database:
    return shared_database(load_settings().database_url)


@dataclass
class _Snapshot:
    taken: float
    versions: GameVersions | None


class VersionCache:
    """The latest counters of each game asked about, read at most every `ttl_s` seconds."""

    def __init__(self, ttl_s: float = SNAPSHOT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._snapshots: dict[str, _Snapshot] = {}
        self._lock = threading.Lock()

    def versions(self, database: Database, code: str) -> GameVersions | None:
        now = time.monotonic()
        with self._lock:
            cached = self._snapshots.get(code)
            if cached is not None and now - cached.taken < self.ttl_s:
                return cached.versions
        with database.read() as session:
            versions = game_versions(session, code)
        with self._lock:
            if len(self._snapshots) > 1000:  # games nobody watches any more
                self._snapshots.clear()
            self._snapshots[code] = _Snapshot(now, versions)
        return versions


_versions = VersionCache()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


TOO_MANY = Response(status_code=429, headers={**NO_STORE, "Retry-After": str(int(WINDOW_S))})


async def _answer(request: Request, database: Database, versions: GameVersions | None) -> Response:
    if versions is None:
        # A code that does not exist, or a game deleted since its page was drawn: the same
        # answer as a quiet game's, so a stranger learns nothing (server/strangers.py). A
        # page of a deleted game was drawn at counters above 0: they moved, and it reruns
        # into "this game does not exist".
        strangers.missed(_client(request))
        versions = GameVersions(version=0, shared=0, players={})
    answer: dict[str, object] = {"game": versions.version, "shared": versions.shared}
    player = _int(request.query_params.get("player"))
    if player is not None:
        answer["player"] = versions.players.get(player, -1)
    queued = _int(request.query_params.get("queued"))
    if queued is not None:

        def position() -> int:
            with database.read() as session:
                return queue_position(session, queued)

        answer["position"] = await run_in_threadpool(position)
    return JSONResponse(answer, headers=NO_STORE)


async def live(request: Request) -> Response:
    if strangers.refused(_client(request)):
        return TOO_MANY
    database = _database()
    versions = await run_in_threadpool(_versions.versions, database, request.path_params["code"])
    return await _answer(request, database, versions)


async def live_wait(request: Request) -> Response:
    if strangers.refused(_client(request)):
        return TOO_MANY
    code, query = request.path_params["code"], request.query_params
    database = _database()
    feed = live_feed(database)
    seen = Seen(
        game=_int(query.get("game")),
        shared=_int(query.get("shared")),
        player_id=_int(query.get("player")),
        player=_int(query.get("player_version")),
    )
    asked = query.get("timeout")
    timeout = min(WAIT_S, float(asked)) if asked and asked.replace(".", "", 1).isdigit() else WAIT_S
    if _int(query.get("queued")) is not None:
        # A queued attempt's place moves with every claim and every result of the class: it is
        # looked at every QUEUE_S, not at each of them (thirty results in a burst would send
        # every queued page's request back thirty times).
        timeout = min(timeout, QUEUE_S)
    versions = await feed.wait(code, seen, timeout)
    if await request.is_disconnected():  # the page went away while it waited
        return Response(status_code=204)
    return await _answer(request, database, versions)


async def image(request: Request) -> Response:
    image_id = _int(request.path_params["image_id"])
    if image_id is None:
        return Response(status_code=404)
    database = _database()

    def load() -> StoredImage | None:
        secret = image_secret(database)
        with database.read() as session:
            return signed_image(session, secret, image_id, request.path_params["signature"])

    stored = await run_in_threadpool(load)
    if stored is None:
        return Response(status_code=404)
    # An image row never changes: the browser keeps it, and a page that reruns never asks again.
    return Response(stored.data, media_type=stored.mime, headers=FOREVER)


def _zip_stream(database: Database, code: str, host: str | None, label: Label) -> Iterator[bytes]:
    with database.read() as session:
        yield from zip_chunks(session, code, host, label)


async def download(request: Request) -> Response:
    code, name = request.path_params["code"], request.path_params["name"]
    host = request.cookies.get(SESSION_COOKIE)
    language = request.query_params.get("lang", "en")
    if name not in DOWNLOADS:
        return Response(status_code=404)
    media_type, suffix = DOWNLOADS[name]
    label = functools.partial(translate, language)
    database = _database()
    headers = {"Content-Disposition": f'attachment; filename="promptmatch-{code}-{suffix}"', **NO_STORE}

    def check_host() -> None:
        with database.read() as session:
            require_host(session, code, host)

    try:
        await run_in_threadpool(check_host)
    except GameError as error:
        return Response(translate(language, error.key, **error.params), status_code=403, media_type="text/plain")
    if name == "results.zip":
        return StreamingResponse(_zip_stream(database, code, host, label), media_type=media_type, headers=headers)

    def build() -> bytes:
        with database.read() as session:
            return document(session, code, host, name, label)

    return Response(await run_in_threadpool(build), media_type=media_type, headers=headers)


async def lesson_file(request: Request) -> Response:
    language = request.query_params.get("lang", "en")
    lesson_id = _int(request.path_params["lesson_id"])
    credential = request.cookies.get(SESSION_COOKIE)
    if lesson_id is None:
        return Response(status_code=404)
    database = _database()

    def build() -> tuple[str, bytes]:
        with database.read() as session:
            return export_lesson(session, credential, lesson_id)

    try:
        name, data = await run_in_threadpool(build)
    except GameError as error:  # not signed in, or not a lesson this teacher may have
        return Response(translate(language, error.key, **error.params), status_code=403, media_type="text/plain")
    # The name may hold any script (a Korean title): RFC 5987's filename* carries it.
    disposition = f"attachment; filename=\"lesson.zip\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type="application/zip", headers={"Content-Disposition": disposition, **NO_STORE})


def _same_site(request: Request) -> bool:
    """A browser posting from another site's page sends its Origin: refuse it (the cookie is
    SameSite=Lax already; this also covers a cross-site form)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host")


async def start_session(request: Request) -> Response:
    if not _same_site(request):
        return Response(status_code=403)
    try:
        body = await request.json()
    except ValueError:
        return Response(status_code=400)
    ticket = body.get("ticket") if isinstance(body, dict) else None
    database = _database()

    def exchange() -> tuple[str, str] | None:
        with database.write() as session:
            token = open_session(session, ticket if isinstance(ticket, str) else None)
            if token is None:
                return None
            return token, device_cookie_for(session, token, request.cookies.get(DEVICE_COOKIE))

    answer = await run_in_threadpool(exchange)
    if answer is None:
        return Response(status_code=403, headers=NO_STORE)
    token, device = answer
    response = Response(status_code=204, headers=NO_STORE)
    for name, value, lifetime in ((SESSION_COOKIE, token, SESSION_LIFETIME), (DEVICE_COOKIE, device, DEVICE_LIFETIME)):
        response.set_cookie(
            name,
            value,
            max_age=int(lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


async def end_session(request: Request) -> Response:
    if not _same_site(request):
        return Response(status_code=403)
    token = request.cookies.get(SESSION_COOKIE)
    database = _database()

    def forget() -> None:
        with database.write() as session:
            sign_out(session, token)

    await run_in_threadpool(forget)
    response = Response(status_code=204, headers=NO_STORE)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    return [
        Route("/api/live/{code}", live),
        Route("/api/live/{code}/wait", live_wait),
        Route("/api/images/{image_id}/{signature}", image),
        Route("/api/games/{code}/download/{name}", download),
        Route("/api/lessons/{lesson_id}/export", lesson_file),
        Route("/auth/session", start_session, methods=["POST"]),
        Route("/auth/signout", end_session, methods=["POST"]),
    ]
