"""Teacher accounts and their sign-in sessions.

- The first teacher of a server is its administrator; the administrator adds, disables and
  resets other teachers (or the `python -m server.admin` command does, on a headless server).
- Passwords are argon2id hashes (pwdlib). Wrong passwords lock, OWASP's device-cookie way:
  a browser that signed in as a teacher before holds a *device cookie* and keeps its own
  allowance (5 wrong in 15 minutes lock that browser only), so a student who types wrong
  passwords for the teacher's name (it is on the board) never locks the teacher's own
  browser out; other browsers share one allowance per name; one client that gets 20 wrong
  in 15 minutes, whatever the names, waits (password spraying). A new password set by the
  administrator, or the administrator's *Unlock*, lifts a name's lock.
- Signing in makes a one-time *ticket* (60 s) that the sign-in page hands to its browser,
  which exchanges it at `/auth/session` for the real session: a random id in an HttpOnly,
  SameSite=Lax cookie (Streamlit's script runs cannot set cookies: ARCHITECTURE.md). Only
  SHA-256 hashes of tickets and session ids are stored.
- A session id is the host's credential everywhere (`require_host` in game/games.py): pages
  read it from the cookie, the download route from the request. Signing out deletes it, so
  every tab and link that used it stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Game, ServerSetting, SignInFailure, Teacher, TeacherSession
from db.types import utcnow
from game.errors import InvalidInput, NotAllowed, NotFound
from game.text import clean_text, fold_key
from game.tokens import hash_token, new_token
from game.views import TeacherView

NAME_MAX = 60
PASSWORD_MIN = 8
PASSWORD_MAX = 200
FAILURES_ALLOWED = 5
LOCK_WINDOW = timedelta(minutes=15)
TICKET_LIFETIME = timedelta(seconds=60)
SESSION_LIFETIME = timedelta(days=7)
SESSION_COOKIE = "promptmatch_session"
SESSION = "session"
TICKET = "ticket"
DEVICE = "device"
DEVICE_COOKIE = "promptmatch_device"
DEVICE_LIFETIME = timedelta(days=365)
CLIENT_FAILURES_ALLOWED = 20
# Who may sign in with the school's provider: e-mail addresses and "@domain" entries, one a line.
OIDC_ALLOWED = "oidc_allowed"

_passwords = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def password_matches(password: str, stored: str | None) -> bool:
    # A missing hash still costs one verification: a wrong name takes as long as a wrong password.
    return _passwords.verify(password, stored or _DUMMY_HASH) and stored is not None


_DUMMY_HASH = hash_password("not a password anyone has")


def teacher_view(teacher: Teacher) -> TeacherView:
    return TeacherView(
        id=teacher.id,
        name=teacher.name,
        email=teacher.email,
        is_admin=teacher.is_admin,
        disabled=teacher.disabled,
        created_at=teacher.created_at,
        has_password=teacher.password_hash is not None,
    )


def has_teachers(session: Session) -> bool:
    return session.scalar(select(Teacher.id).limit(1)) is not None


def _clean_name(raw: str) -> tuple[str, str]:
    name = clean_text(raw)
    if not name:
        raise InvalidInput("teacher_name_empty")
    if len(name) > NAME_MAX:
        raise InvalidInput("teacher_name_too_long", maximum=NAME_MAX)
    return name, fold_key(name)


def _check_password(password: str, repeat: str | None = None) -> None:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput("password_too_short", minimum=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("password_too_long", maximum=PASSWORD_MAX)
    if repeat is not None and repeat != password:
        raise InvalidInput("passwords_differ")


def _add(session: Session, name: str, password: str | None, *, admin: bool, email: str | None = None) -> Teacher:
    name, key = _clean_name(name)
    if session.scalar(select(Teacher.id).where(Teacher.name_key == key)) is not None:
        raise InvalidInput("teacher_name_taken", name=name)
    teacher = Teacher(
        name=name,
        name_key=key,
        password_hash=hash_password(password) if password is not None else None,
        email=email,
        is_admin=admin,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():  # two admins adding the same name at once
            session.add(teacher)
            session.flush()
    except IntegrityError:
        raise InvalidInput("teacher_name_taken", name=name) from None
    return teacher


def create_first_teacher(session: Session, name: str, password: str, repeat: str) -> TeacherView:
    """The server's first account, its administrator; refused once any teacher exists. Two
    visitors racing for it: the `first_teacher` setting row is unique, so one of them loses."""
    _check_password(password, repeat)
    if has_teachers(session):
        raise NotAllowed("first_teacher_exists")
    try:
        with session.begin_nested():
            session.add(ServerSetting(name="first_teacher", value=clean_text(name)))
            session.flush()
    except IntegrityError:
        raise NotAllowed("first_teacher_exists") from None
    return teacher_view(_add(session, name, password, admin=True))


def create_teacher(
    session: Session, admin_credential: str | None, name: str, password: str, *, admin: bool = False
) -> TeacherView:
    require_admin(session, admin_credential)
    _check_password(password)
    return teacher_view(_add(session, name, password, admin=admin))


def create_teacher_unchecked(session: Session, name: str, password: str, *, admin: bool = False) -> TeacherView:
    """For the server's own command line (`python -m server.admin`), run by whoever runs the server."""
    _check_password(password)
    return teacher_view(_add(session, name, password, admin=admin or not has_teachers(session)))


def _teacher_by_name(session: Session, name: str) -> Teacher:
    teacher = session.scalar(select(Teacher).where(Teacher.name_key == fold_key(clean_text(name))))
    if teacher is None:
        raise NotFound("teacher_not_found", name=clean_text(name))
    return teacher


def _end_sessions(session: Session, teacher_id: int) -> None:
    session.execute(delete(TeacherSession).where(TeacherSession.teacher_id == teacher_id))


def set_password(session: Session, teacher: Teacher, password: str) -> None:
    _check_password(password)
    teacher.password_hash = hash_password(password)
    _end_sessions(session, teacher.id)  # whoever knew the old password is signed out
    unlock(session, teacher)  # and the teacher can sign in with the new one at once


def set_disabled(session: Session, teacher: Teacher, disabled: bool) -> None:
    teacher.disabled = disabled
    if disabled:
        _end_sessions(session, teacher.id)


def manage_teacher(
    session: Session,
    admin_credential: str | None,
    teacher_id: int,
    *,
    disabled: bool | None = None,
    password: str | None = None,
    unlocked: bool = False,
) -> TeacherView:
    """The administrator disables (or enables) a teacher, sets a new password for them, or
    lifts the lock that wrong passwords put on their name."""
    admin = require_admin(session, admin_credential)
    teacher = session.get(Teacher, teacher_id)
    if teacher is None:
        raise NotFound("teacher_not_found", name=str(teacher_id))
    if disabled is not None:
        if teacher.id == admin.id and disabled:
            raise NotAllowed("cannot_disable_yourself")
        set_disabled(session, teacher, disabled)
    if password is not None:
        set_password(session, teacher, password)
    if unlocked:
        unlock(session, teacher)
    return teacher_view(teacher)


def manage_by_name(session: Session, name: str, *, disabled: bool | None = None, password: str | None = None) -> None:
    """The command line's version of `manage_teacher`."""
    teacher = _teacher_by_name(session, name)
    if disabled is not None:
        set_disabled(session, teacher, disabled)
    if password is not None:
        set_password(session, teacher, password)


def list_teachers(session: Session, admin_credential: str | None) -> list[TeacherView]:
    require_admin(session, admin_credential)
    return [teacher_view(t) for t in session.scalars(select(Teacher).order_by(Teacher.id))]


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt gives: a ticket for the browser, or the message key why not."""

    ticket: str | None
    error: str | None = None
    minutes: int = 0


def _device_teacher(session: Session, device: str | None, now: datetime) -> int | None:
    """The teacher this browser signed in as before, from its device cookie, if still valid."""
    if not device:
        return None
    row = session.get(TeacherSession, hash_token(device))
    if row is None or row.kind != DEVICE or row.expires_at <= now:
        return None
    return row.teacher_id


def _wait_minutes(failures: list[datetime], allowed: int, now: datetime) -> int:
    unlocks = failures[-allowed] + LOCK_WINDOW
    return max(1, -(-int((unlocks - now).total_seconds()) // 60))


def sign_in(
    session: Session,
    name: str,
    password: str,
    now: datetime | None = None,
    *,
    device: str | None = None,
    client: str | None = None,
) -> SignIn:
    """Check the password; a wrong one is recorded (the same transaction commits it). After
    `FAILURES_ALLOWED` of them in `LOCK_WINDOW` the name is locked for the rest of it, even
    for the right password — for browsers it never signed in on. A browser holding a valid
    device cookie of this teacher (`device`) counts only its own failures, and a client
    (`client`, its address) with `CLIENT_FAILURES_ALLOWED` failures over any names waits.
    Never raises for a wrong name or password: the caller commits the failure."""
    now = now or utcnow()
    key = fold_key(clean_text(name))
    since = now - LOCK_WINDOW
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < since))
    teacher = session.scalar(select(Teacher).where(Teacher.name_key == key))
    trusted = teacher is not None and _device_teacher(session, device, now) == teacher.id
    device_hash = hash_token(device) if trusted and device else None
    recent = select(SignInFailure.failed_at).where(SignInFailure.failed_at >= since).order_by(SignInFailure.failed_at)
    if not trusted and client:
        by_client = list(session.scalars(recent.where(SignInFailure.client == client)))
        if len(by_client) >= CLIENT_FAILURES_ALLOWED:
            return SignIn(None, "signin_client_locked", minutes=_wait_minutes(by_client, CLIENT_FAILURES_ALLOWED, now))
    scope = SignInFailure.device_hash == device_hash if trusted else SignInFailure.device_hash.is_(None)
    failures = list(session.scalars(recent.where(SignInFailure.name_key == key, scope)))
    if len(failures) >= FAILURES_ALLOWED:
        return SignIn(None, "signin_locked", minutes=_wait_minutes(failures, FAILURES_ALLOWED, now))
    if not password_matches(password, teacher.password_hash if teacher else None):
        session.add(SignInFailure(name_key=key, failed_at=now, device_hash=device_hash, client=client))
        return SignIn(None, "signin_wrong")
    assert teacher is not None
    if teacher.disabled:
        return SignIn(None, "teacher_disabled")
    session.execute(delete(SignInFailure).where(SignInFailure.name_key == key, scope))
    return SignIn(new_ticket(session, teacher.id, now))


def unlock(session: Session, teacher: Teacher) -> None:
    """Forget every wrong password typed for the teacher's name: the lock is lifted."""
    session.execute(delete(SignInFailure).where(SignInFailure.name_key == teacher.name_key))


def device_cookie_for(session: Session, session_id: str, device: str | None, now: datetime | None = None) -> str:
    """At a successful sign-in (its new session id): the browser's device cookie for this
    teacher, the one it has if still valid, else a new one (its own sign-in allowance)."""
    now = now or utcnow()
    current = session.get(TeacherSession, hash_token(session_id))
    assert current is not None
    if _device_teacher(session, device, now) == current.teacher_id and device:
        return device
    return _issue(session, current.teacher_id, DEVICE, DEVICE_LIFETIME, now)


def _issue(session: Session, teacher_id: int, kind: str, lifetime: timedelta, now: datetime | None) -> str:
    """A new random secret of this kind for the teacher; only its hash is stored."""
    now = now or utcnow()
    secret = new_token()
    session.add(
        TeacherSession(
            token_hash=hash_token(secret),
            teacher_id=teacher_id,
            kind=kind,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return secret


def new_ticket(session: Session, teacher_id: int, now: datetime | None = None) -> str:
    return _issue(session, teacher_id, TICKET, TICKET_LIFETIME, now)


def open_session(session: Session, ticket: str | None, now: datetime | None = None) -> str | None:
    """Exchange a one-time ticket for a session id (the cookie's value); None if the ticket
    is unknown, used or expired."""
    now = now or utcnow()
    if not ticket:
        return None
    row = session.get(TeacherSession, hash_token(ticket))
    if row is None or row.kind != TICKET:
        return None
    session.delete(row)  # used once, whatever happens next
    if row.expires_at <= now:
        return None
    return start_session(session, row.teacher_id, now)


def start_session(session: Session, teacher_id: int, now: datetime | None = None) -> str:
    now = now or utcnow()
    session.execute(delete(TeacherSession).where(TeacherSession.expires_at < now))  # expired ones go
    return _issue(session, teacher_id, SESSION, SESSION_LIFETIME, now)


def _session_teacher(session: Session, credential: str | None, now: datetime | None = None) -> Teacher | None:
    if not credential:
        return None
    row = session.get(TeacherSession, hash_token(credential))
    if row is None or row.kind != SESSION or row.expires_at <= (now or utcnow()):
        return None
    teacher = session.get(Teacher, row.teacher_id)
    return None if teacher is None or teacher.disabled else teacher


def signed_in_teacher(session: Session, credential: str | None, now: datetime | None = None) -> TeacherView | None:
    """The teacher whose live session this is, or None (unknown, expired, signed out, disabled)."""
    teacher = _session_teacher(session, credential, now)
    return teacher_view(teacher) if teacher else None


def require_teacher(session: Session, credential: str | None) -> Teacher:
    teacher = _session_teacher(session, credential)
    if teacher is None:
        raise NotAllowed("not_signed_in")
    return teacher


def require_admin(session: Session, credential: str | None) -> Teacher:
    teacher = require_teacher(session, credential)
    if not teacher.is_admin:
        raise NotAllowed("admin_only")
    return teacher


def sign_out(session: Session, credential: str | None) -> None:
    if credential:
        session.execute(delete(TeacherSession).where(TeacherSession.token_hash == hash_token(credential)))


def claim_game(session: Session, code: str, host_token: str | None, credential: str | None) -> bool:
    """A game from before accounts, opened through its old host address by a signed-in
    teacher, becomes theirs; its host key stops working (so it is claimed once). False when
    there is nothing to claim (already owned, or not that game's key)."""
    from game.games import load_game  # games imports this module for the host check

    teacher = require_teacher(session, credential)
    game: Game = load_game(session, code, lock=True)
    if game.owner_id is not None or not host_token or not game.host_token_hash:
        return False
    if hash_token(host_token) != game.host_token_hash:
        return False
    game.owner_id, game.host_token_hash = teacher.id, ""
    return True


# School sign-in (OpenID Connect through Streamlit's st.login).


def allowed_logins(session: Session) -> list[str]:
    row = session.get(ServerSetting, OIDC_ALLOWED)
    return row.value.split() if row else []


def set_allowed_logins(session: Session, admin_credential: str | None, entries: str) -> list[str]:
    """Addresses (`kim@school.kr`) and whole domains (`@school.kr`) that may sign in with the
    school's provider; each becomes a teacher account at its first sign-in."""
    require_admin(session, admin_credential)
    cleaned = sorted({entry.strip().lower() for entry in entries.replace(",", " ").split() if "@" in entry})
    row = session.get(ServerSetting, OIDC_ALLOWED)
    if row is None:
        session.add(ServerSetting(name=OIDC_ALLOWED, value=" ".join(cleaned)))
    else:
        row.value = " ".join(cleaned)
    return cleaned


def _login_allowed(session: Session, email: str) -> bool:
    domain = "@" + email.rsplit("@", 1)[-1]
    return any(entry in (email, domain) for entry in allowed_logins(session))


def school_sign_in(session: Session, email: str | None, name: str | None, verified: bool = True) -> SignIn:
    """A teacher the school's provider vouches for: their account (made at the first sign-in
    when the administrator allowed their address or domain), and a ticket for the cookie."""
    email = (email or "").strip().lower()
    if not email or "@" not in email or not verified:
        return SignIn(None, "school_signin_no_email")
    teacher = session.scalar(select(Teacher).where(func.lower(Teacher.email) == email))
    if teacher is None:
        if not _login_allowed(session, email):
            return SignIn(None, "school_signin_not_allowed")
        display = clean_text(name or "") or email
        taken = session.scalar(select(Teacher.id).where(Teacher.name_key == fold_key(display))) is not None
        teacher = _add(session, email if taken else display, None, admin=False, email=email)
    if teacher.disabled:
        return SignIn(None, "teacher_disabled")
    return SignIn(new_ticket(session, teacher.id))


def session_for(session: Session, name: str, *, admin: bool = False) -> str:
    """A live session for the named teacher, whose account is made (without a password) if
    missing: for benchmarks and tests that drive the rules directly, never for a page."""
    _name, key = _clean_name(name)
    teacher = session.scalar(select(Teacher).where(Teacher.name_key == key))
    if teacher is None:
        teacher = _add(session, name, None, admin=admin)
    return start_session(session, teacher.id)
