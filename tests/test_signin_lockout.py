"""Nobody can keep a teacher locked out (issue 34, finding 4): wrong passwords typed for the
teacher's name (it is on the board) in another browser never lock the browser the teacher
signed in with before; a client guessing many names waits; the administrator's new password
or Unlock lifts a lock; and the sign-in route hands the browser its device cookie."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from starlette.applications import Starlette

from db.session import Database
from db.types import utcnow
from game.accounts import (
    CLIENT_FAILURES_ALLOWED,
    DEVICE_COOKIE,
    FAILURES_ALLOWED,
    SESSION_COOKIE,
    create_first_teacher,
    create_teacher,
    device_cookie_for,
    list_teachers,
    manage_teacher,
    open_session,
    sign_in,
)
from server.routes import routes

PASSWORD = "correct horse battery"


def teacher_with_her_browser(db: Database) -> tuple[str, str]:
    """Ms Kim signed in once on her laptop: (her session, her laptop's device cookie)."""
    with db.write() as s:
        create_first_teacher(s, "Ms Kim", PASSWORD, PASSWORD)
    with db.write() as s:
        ticket = sign_in(s, "Ms Kim", PASSWORD, client="10.0.0.5").ticket
        session_id = open_session(s, ticket)
        assert session_id is not None
        return session_id, device_cookie_for(s, session_id, None)


def test_a_student_typing_wrong_passwords_never_locks_the_teachers_own_browser(db: Database) -> None:
    _, laptop = teacher_with_her_browser(db)
    now = utcnow()
    for _ in range(FAILURES_ALLOWED * 3):  # a student in the back row, every few minutes
        with db.write() as s:
            sign_in(s, "Ms Kim", "guess", now=now, client="10.0.0.66")
    with db.write() as s:
        stranger = sign_in(s, "Ms Kim", PASSWORD, now=now, client="10.0.0.67")
        own = sign_in(s, "Ms Kim", PASSWORD, now=now, device=laptop, client="10.0.0.5")
    assert stranger.error == "signin_locked"  # other browsers wait, as before
    assert own.ticket is not None  # her laptop signs in during the lesson


def test_a_trusted_browser_has_its_own_allowance(db: Database) -> None:
    _, laptop = teacher_with_her_browser(db)
    now = utcnow()
    for _ in range(FAILURES_ALLOWED):
        with db.write() as s:
            assert sign_in(s, "Ms Kim", "typo", now=now, device=laptop).error == "signin_wrong"
    with db.write() as s:
        assert sign_in(s, "Ms Kim", PASSWORD, now=now, device=laptop).error == "signin_locked"
        assert sign_in(s, "Ms Kim", PASSWORD, now=now, client="10.0.0.9").ticket  # others are not locked by it
    with db.write() as s:  # a device cookie of another teacher counts for nothing
        create_teacher(s, open_session(s, sign_in(s, "Ms Kim", PASSWORD, now=now).ticket), "Mr Lee", PASSWORD)
    with db.write() as s:
        for _ in range(FAILURES_ALLOWED):
            sign_in(s, "Mr Lee", "guess", now=now, device=laptop)
        assert sign_in(s, "Mr Lee", PASSWORD, now=now).error == "signin_locked"


def test_one_client_guessing_many_names_waits(db: Database) -> None:
    teacher_with_her_browser(db)
    now = utcnow()
    for n in range(CLIENT_FAILURES_ALLOWED):
        with db.write() as s:
            sign_in(s, f"Teacher {n}", "password1", now=now, client="10.0.0.66")
    with db.write() as s:
        sprayer = sign_in(s, "Ms Kim", PASSWORD, now=now, client="10.0.0.66")
        other = sign_in(s, "Ms Kim", PASSWORD, now=now, client="10.0.0.70")
    assert sprayer.error == "signin_client_locked" and other.ticket is not None
    with db.write() as s:
        assert sign_in(s, "Ms Kim", PASSWORD, now=now + timedelta(minutes=16), client="10.0.0.66").ticket


def test_a_new_password_or_unlock_lifts_the_lock(db: Database) -> None:
    admin, _ = teacher_with_her_browser(db)
    with db.write() as s:
        create_teacher(s, admin, "Mr Lee", PASSWORD)
    with db.read() as s:
        lee = next(teacher for teacher in list_teachers(s, admin) if teacher.name == "Mr Lee")
    new_password = "a brand new password"
    # First a new password lifts the lock, then (with that password) the Unlock button does.
    for lift, password in (({"password": new_password}, new_password), ({"unlocked": True}, new_password)):
        with db.write() as s:
            for _ in range(FAILURES_ALLOWED):
                sign_in(s, "Mr Lee", "guess")
            assert sign_in(s, "Mr Lee", password).error == "signin_locked"
        with db.write() as s:
            manage_teacher(s, admin, lee.id, **lift)  # type: ignore[arg-type]
        with db.write() as s:
            assert sign_in(s, "Mr Lee", password).ticket is not None


def test_signing_in_hands_the_browser_its_device_cookie(db: Database, monkeypatch) -> None:
    monkeypatch.setenv("PROMPTMATCH_DATABASE_URL", db.url)
    with db.write() as s:
        create_first_teacher(s, "Ms Kim", PASSWORD, PASSWORD)
    with db.write() as s:
        ticket = sign_in(s, "Ms Kim", PASSWORD).ticket

    async def exchange() -> httpx.Response:
        transport = httpx.ASGITransport(app=Starlette(routes=routes()))
        async with httpx.AsyncClient(transport=transport, base_url="http://school.test") as client:
            return await client.post("/auth/session", json={"ticket": ticket})

    answer = asyncio.run(exchange())
    assert answer.status_code == 204
    cookies = answer.headers.get_list("set-cookie")
    device = next(c for c in cookies if c.startswith(DEVICE_COOKIE + "="))
    assert any(c.startswith(SESSION_COOKIE + "=") for c in cookies)
    assert "HttpOnly" in device and "SameSite=lax" in device and "Max-Age=31536000" in device
    value = device.split(";", 1)[0].split("=", 1)[1]
    with db.write() as s:
        for _ in range(FAILURES_ALLOWED):
            sign_in(s, "Ms Kim", "guess")
        assert sign_in(s, "Ms Kim", PASSWORD, device=value).ticket is not None
