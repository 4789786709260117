"""Teacher accounts, their sessions, who owns a game, and students who come back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import Classroom, drain
from sqlalchemy import select

from db.models import Teacher
from db.session import Database
from db.types import utcnow
from game.accounts import (
    FAILURES_ALLOWED,
    create_first_teacher,
    create_teacher,
    list_teachers,
    manage_teacher,
    open_session,
    school_sign_in,
    session_for,
    set_allowed_logins,
    sign_in,
    sign_out,
    signed_in_teacher,
)
from game.ai_opponent import add_ai_player
from game.errors import GameError, InvalidInput, NotAllowed
from game.exports import DOWNLOADS, document, zip_chunks
from game.games import GameSettings, create_game, join_game, my_games, new_rejoin_code, rejoin_same_browser, set_room
from game.hints import set_hints
from game.moderation import (
    delete_game,
    kick_player,
    moderation_view,
    rename_player,
    set_blocked_words,
    set_submission_hidden,
)
from game.ranking import host_gallery
from game.records import learning_records
from game.rounds import close_round, console_rounds, create_round, retry_target, reveal_round, start_round
from game.submissions import player_state, submit_prompt

PASSWORD = "correct horse battery"


def first_teacher(db: Database, name: str = "Ms Kim") -> None:
    with db.write() as s:
        create_first_teacher(s, name, PASSWORD, PASSWORD)


def signed_in(db: Database, name: str = "Ms Kim", password: str = PASSWORD) -> str:
    """Sign in as a browser does: a ticket from the password, exchanged for the session."""
    with db.write() as s:
        answer = sign_in(s, name, password)
    assert answer.ticket, answer.error
    with db.write() as s:
        session = open_session(s, answer.ticket)
    assert session
    return session


def test_the_first_teacher_is_the_administrator_and_passwords_are_argon2id(db: Database) -> None:
    first_teacher(db)
    with db.read() as s:
        (kim,) = s.scalars(select(Teacher)).all()
    assert kim.is_admin
    assert kim.password_hash.startswith("$argon2id$") and PASSWORD not in kim.password_hash
    with db.write() as s, pytest.raises(NotAllowed, match="first_teacher_exists"):
        create_first_teacher(s, "Mr Lee", PASSWORD, PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "repeat", "key"),
    [
        ("", PASSWORD, PASSWORD, "teacher_name_empty"),
        ("Ms Kim", "short", "short", "password_too_short"),
        ("Ms Kim", PASSWORD, PASSWORD + "!", "passwords_differ"),
    ],
)
def test_the_first_run_form_refuses_bad_input_and_makes_no_account(db: Database, name, password, repeat, key) -> None:
    with db.write() as s, pytest.raises(InvalidInput, match=key):
        create_first_teacher(s, name, password, repeat)
    with db.read() as s:
        assert s.scalars(select(Teacher)).all() == []


def test_signing_in_gives_a_one_time_ticket_for_a_session(db: Database) -> None:
    first_teacher(db)
    with db.write() as s:
        ticket = sign_in(s, "MS KIM", PASSWORD).ticket  # names are folded like nicknames
    with db.write() as s:
        session = open_session(s, ticket)
        assert open_session(s, ticket) is None  # used once
    with db.read() as s:
        assert signed_in_teacher(s, session).name == "Ms Kim"
        assert signed_in_teacher(s, ticket) is None  # a ticket is not a session
    with db.write() as s:
        late = sign_in(s, "Ms Kim", PASSWORD).ticket
    with db.write() as s:
        assert open_session(s, late, now=utcnow() + timedelta(minutes=2)) is None  # a ticket lasts 60 s


def test_five_wrong_passwords_lock_the_name_for_fifteen_minutes(db: Database) -> None:
    first_teacher(db)
    start = utcnow()
    for _ in range(FAILURES_ALLOWED):
        with db.write() as s:
            assert sign_in(s, "Ms Kim", "wrong password", now=start).error == "signin_wrong"
    with db.write() as s:
        locked = sign_in(s, "Ms Kim", PASSWORD, now=start + timedelta(minutes=1))
    assert (locked.ticket, locked.error, locked.minutes) == (None, "signin_locked", 14)
    with db.write() as s:
        assert sign_in(s, "Mr Nobody", "x", now=start).error == "signin_wrong"  # another name is not locked
        assert sign_in(s, "Ms Kim", PASSWORD, now=start + timedelta(minutes=16)).ticket


def test_sessions_expire_and_end_on_sign_out_everywhere(db: Database) -> None:
    first_teacher(db)
    session = signed_in(db)
    with db.read() as s:
        assert signed_in_teacher(s, session, now=utcnow() + timedelta(days=6)) is not None
        assert signed_in_teacher(s, session, now=utcnow() + timedelta(days=8)) is None
    with db.write() as s:
        sign_out(s, session)
    with db.read() as s:
        assert signed_in_teacher(s, session) is None


def test_the_administrator_adds_disables_and_resets_teachers(db: Database) -> None:
    first_teacher(db)
    admin = signed_in(db)
    with db.write() as s:
        lee = create_teacher(s, admin, "Mr Lee", PASSWORD)
    lee_session = signed_in(db, "Mr Lee")
    with db.write() as s, pytest.raises(NotAllowed, match="admin_only"):
        create_teacher(s, lee_session, "Mr Park", PASSWORD)
    with db.write() as s, pytest.raises(InvalidInput, match="teacher_name_taken"):
        create_teacher(s, admin, "mr lee", PASSWORD)
    # Disabled: signed out at once, and cannot sign in.
    with db.write() as s:
        manage_teacher(s, admin, lee.id, disabled=True)
    with db.write() as s:
        assert signed_in_teacher(s, lee_session) is None
        assert sign_in(s, "Mr Lee", PASSWORD).error == "teacher_disabled"
        manage_teacher(s, admin, lee.id, disabled=False, password="a new password")
    with db.write() as s:
        assert sign_in(s, "Mr Lee", PASSWORD).error == "signin_wrong"
    assert signed_in(db, "Mr Lee", "a new password")
    with db.read() as s:
        assert [t.name for t in list_teachers(s, admin)] == ["Ms Kim", "Mr Lee"]


def host_actions(classroom: Classroom, round_id: int, player_id: int, attempt_id: int):
    """Every host-only action and read of a game, as callables of (session, credential)."""
    code = classroom.code
    label = lambda key, **params: key  # noqa: E731
    return {
        "create a round": lambda s, c: create_round(s, code, c, source="prompt", secret_prompt="a cat"),
        "start a round": lambda s, c: start_round(s, code, c, round_id),
        "close a round": lambda s, c: close_round(s, code, c, round_id),
        "reveal a round": lambda s, c: reveal_round(s, code, c, round_id),
        "draw the target again": lambda s, c: retry_target(s, code, c, round_id),
        "add the AI": lambda s, c: add_ai_player(s, code, c, round_id),
        "turn hints off": lambda s, c: set_hints(s, code, c, False),
        "lock the room": lambda s, c: set_room(s, code, c, joining_locked=True, player_cap=5),
        "block words": lambda s, c: set_blocked_words(s, code, c, "pizza"),
        "remove a player": lambda s, c: kick_player(s, code, c, player_id),
        "rename a player": lambda s, c: rename_player(s, code, c, player_id, "Bob"),
        "hide an attempt": lambda s, c: set_submission_hidden(s, code, c, attempt_id, True),
        "let a player back in": lambda s, c: new_rejoin_code(s, code, c, player_id),
        "delete the game": lambda s, c: delete_game(s, code, c),
        "see the moderation panel": lambda s, c: moderation_view(s, code, c),
        "see the console's rounds": lambda s, c: console_rounds(s, code, c),
        "see the gallery": lambda s, c: host_gallery(s, code, c, round_id),
        "see learning records": lambda s, c: learning_records(s, code, c),
        **{
            f"download {name}": (lambda s, c, n=name: document(s, code, c, n, label))
            for name in DOWNLOADS
            if name != "results.zip"
        },
        "download results.zip": lambda s, c: b"".join(zip_chunks(s, code, c, label)),
    }


def test_another_teacher_can_do_nothing_with_a_game(db: Database, worker) -> None:
    classroom = Classroom(db, teacher="Ms Kim")
    round_id = classroom.round(worker)
    mina = classroom.join("Mina")
    with db.write() as s:
        attempt_id = submit_prompt(s, classroom.code, mina, "a red circle").id
        other = session_for(s, "Mr Lee")
        player_id = player_state(s, classroom.code, mina).player.id
    drain(worker)
    for action, call in host_actions(classroom, round_id, player_id, attempt_id).items():
        for credential, key in ((other, "not_your_game"), (mina, "not_signed_in"), (None, "not_signed_in")):
            with db.write() as s, pytest.raises(NotAllowed, match=key):
                call(s, credential)
                pytest.fail(f"{action} was allowed")
    # …and its own teacher is never refused as a stranger (a rule of the round may still say no).
    for action, call in host_actions(classroom, round_id, player_id, attempt_id).items():
        with db.write() as s:
            s.begin_nested()
            try:
                call(s, classroom.host)
            except GameError as error:
                assert error.key not in ("not_your_game", "not_signed_in"), action
            s.rollback()


def test_my_games_lists_only_the_teachers_own_games_newest_first(db: Database, worker) -> None:
    older = Classroom(db, teacher="Ms Kim", title="Art 5-1")
    older.join("Mina")
    older.round(worker)
    Classroom(db, teacher="Mr Lee", title="Lee's class")
    newer = Classroom(db, teacher="Ms Kim", title="Art 5-2")
    with db.read() as s:
        rows = my_games(s, older.host)
        assert [(r.title, r.players, r.state, r.round_number) for r in rows] == [
            ("Art 5-2", 0, "lobby", None),
            ("Art 5-1", 1, "open", 1),
        ]
        assert [r.code for r in my_games(s, newer.host)] == [newer.code, older.code]
        with pytest.raises(NotAllowed, match="not_signed_in"):
            my_games(s, None)


def test_a_student_comes_back_in_the_same_browser_as_themselves(db: Database, worker) -> None:
    classroom = Classroom(db)
    classroom.round(worker)
    with db.write() as s:
        first = join_game(s, classroom.code, "Jun", browser="browser-1").token
        submit_prompt(s, classroom.code, first, "a red circle")
    with db.write() as s:
        again = rejoin_same_browser(s, classroom.code, "browser-1")
        assert rejoin_same_browser(s, classroom.code, "browser-2") is None
    assert again and again != first
    with db.read() as s:
        state = player_state(s, classroom.code, again)
        assert state.player.nickname == "Jun" and [a.prompt for a in state.submissions] == ["a red circle"]
        assert player_state(s, classroom.code, first).player.nickname == "Jun"  # the old tab still works
    with db.write() as s:
        kick_player(s, classroom.code, classroom.host, state.player.id)
    with db.write() as s:
        assert rejoin_same_browser(s, classroom.code, "browser-1") is None  # removed stays removed


def test_on_another_device_only_the_consoles_code_lets_a_student_back(db: Database, worker) -> None:
    classroom = Classroom(db)
    classroom.round(worker)
    with db.write() as s:
        jun = join_game(s, classroom.code, "Jun", browser="laptop").player
    # Typing the nickname alone says how to come back, and makes nobody Jun.
    with db.write() as s, pytest.raises(InvalidInput, match="nickname_taken"):
        join_game(s, classroom.code, "Jun", browser="tablet")
    with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_wrong"):
        join_game(s, classroom.code, "Jun", browser="tablet", rejoin_code="AAAAAA")  # no code given yet
    with db.write() as s:
        code = new_rejoin_code(s, classroom.code, classroom.host, jun.id)
    with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_wrong"):
        join_game(s, classroom.code, "Mina", browser="tablet", rejoin_code=code)  # Jun's code is not Mina's
    with db.write() as s:
        back = join_game(s, classroom.code, "jun", browser="tablet", rejoin_code=code.lower())
    assert back.player.id == jun.id
    with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_wrong"):
        join_game(s, classroom.code, "Jun", browser="phone", rejoin_code=code)  # used once
    with db.write() as s:
        assert rejoin_same_browser(s, classroom.code, "tablet") is not None  # the new device is known now


def test_a_let_back_in_code_expires_and_five_wrong_tries_void_it(db: Database, worker) -> None:
    classroom = Classroom(db)
    with db.write() as s:
        jun = join_game(s, classroom.code, "Jun").player
        code = new_rejoin_code(s, classroom.code, classroom.host, jun.id)
    with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_expired"):
        join_game(s, classroom.code, "Jun", rejoin_code=code, now=utcnow() + timedelta(minutes=11))
    with db.write() as s:
        code = new_rejoin_code(s, classroom.code, classroom.host, jun.id)
    for _ in range(5):  # each wrong try is counted, though the join is refused
        with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_wrong"):
            join_game(s, classroom.code, "Jun", rejoin_code="WRONG1")
    with db.write() as s, pytest.raises(InvalidInput, match="rejoin_code_wrong"):
        join_game(s, classroom.code, "Jun", rejoin_code=code)  # void now


def test_school_sign_in_maps_allowed_addresses_to_teacher_accounts(db: Database) -> None:
    first_teacher(db)
    admin = signed_in(db)
    with db.write() as s:
        assert school_sign_in(s, "park@school.kr", "Ms Park").error == "school_signin_not_allowed"
        assert set_allowed_logins(s, admin, "@school.kr\nlee@gmail.com, not-an-address") == [
            "@school.kr",
            "lee@gmail.com",
        ]
    with db.write() as s:
        ticket = school_sign_in(s, "Park@School.kr", "Ms Park").ticket
        assert school_sign_in(s, "other@gmail.com", "Other").error == "school_signin_not_allowed"
        assert school_sign_in(s, "lee@gmail.com", "Mr Lee", verified=False).error == "school_signin_no_email"
    with db.write() as s:
        session = open_session(s, ticket)
    with db.read() as s:
        park = signed_in_teacher(s, session)
    assert (park.name, park.email, park.is_admin, park.has_password) == ("Ms Park", "park@school.kr", False, False)
    with db.write() as s:  # the same person next time: the same account
        again = open_session(s, school_sign_in(s, "park@school.kr", "Ms Park").ticket)
        game = create_game(s, again, "Park's class", GameSettings(engine="sketch"))
        assert [r.code for r in my_games(s, session)] == [game.code]
