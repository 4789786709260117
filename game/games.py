"""Games and players: creating a game, host checks, joining, finding a player by token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import ENGINES, SCORERS
from db.models import ClassStudent, Game, Player, PlayerToken, Round
from db.statuses import GameKind, RoundStatus
from db.types import utcnow
from game.accounts import require_teacher
from game.blocklist import check_nickname
from game.confusables import has_visible_letter
from game.errors import InvalidInput, KeptRefusal, NotAllowed, NotFound
from game.text import clean_text, fold_key
from game.tokens import hash_token, new_join_code, new_token, normalize_join_code
from game.views import GameView, MyGameRow, PlayerView

TITLE_MAX = 120
NICKNAME_MAX = 24
IMAGE_SIZES = (256, 384, 512, 768)
# The AI opponent's name: no student may pass for it on the leaderboard (nor a lookalike:
# compared by their keys, so Cyrillic "АI" is refused too).
RESERVED_KEYS = {fold_key(name) for name in ("ai", "a.i.", "인공지능")}
PLAYER_CAP_MAX = 200
# Joins one browser may make in one game: a student who mistyped their name twice is fine;
# one browser joining 40 nicknames is not.
JOINS_PER_BROWSER = 3
# The console's let-back-in code: short enough to read out, valid for a few minutes, used once.
REJOIN_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
REJOIN_LENGTH = 6
REJOIN_LIFETIME = timedelta(minutes=10)
REJOIN_TRIES = 5


@dataclass(frozen=True)
class GameSettings:
    engine: str = "auto"
    scorer: str = "auto"
    attempts_per_round: int = 3
    round_seconds: int = 180
    image_size: int = 512

    def validate(self) -> None:
        if self.engine not in ENGINES:
            raise InvalidInput("bad_engine", engine=self.engine)
        if self.scorer not in SCORERS:
            raise InvalidInput("bad_scorer", scorer=self.scorer)
        if not 1 <= self.attempts_per_round <= 20:
            raise InvalidInput("bad_attempts", minimum=1, maximum=20)
        if not 15 <= self.round_seconds <= 3600:
            raise InvalidInput("bad_round_length", minimum=15, maximum=3600)
        if self.image_size not in IMAGE_SIZES:
            raise InvalidInput("bad_image_size", sizes=", ".join(map(str, IMAGE_SIZES)))


@dataclass(frozen=True)
class JoinedPlayer:
    player: PlayerView
    token: str


def game_view(game: Game) -> GameView:
    return GameView(
        id=game.id,
        code=game.code,
        title=game.title,
        engine=game.engine,
        scorer=game.scorer,
        attempts_per_round=game.attempts_per_round,
        round_seconds=game.round_seconds,
        image_size=game.image_size,
        created_at=game.created_at,
        kind=game.kind,
        closes_at=game.closes_at,
    )


def player_view(player: Player) -> PlayerView:
    return PlayerView(id=player.id, game_id=player.game_id, nickname=player.nickname)


def create_game(
    session: Session, credential: str | None, title: str, settings: GameSettings, now: datetime | None = None
) -> GameView:
    """A new game, owned by the signed-in teacher whose session `credential` is."""
    owner = require_teacher(session, credential)
    title = clean_text(title)
    if not title:
        raise InvalidInput("title_empty")
    if len(title) > TITLE_MAX:
        raise InvalidInput("title_too_long", maximum=TITLE_MAX)
    settings.validate()
    code = new_join_code()
    while session.scalar(select(Game.id).where(Game.code == code)) is not None:
        code = new_join_code()
    game = Game(
        code=code,
        title=title,
        host_token_hash="",  # only games from before accounts have a host key
        owner_id=owner.id,
        engine=settings.engine,
        scorer=settings.scorer,
        attempts_per_round=settings.attempts_per_round,
        round_seconds=settings.round_seconds,
        image_size=settings.image_size,
        created_at=now or utcnow(),
    )
    session.add(game)
    session.flush()
    return game_view(game)


def load_game(session: Session, code: str, *, lock: bool = False) -> Game:
    """The game with this join code. `lock` takes its row for the rest of the transaction
    (PostgreSQL's FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises writers), so that
    rules that count or compare the game's rows (one open round, round numbers, nicknames,
    the player cap) hold when two servers act at once."""
    normalized = normalize_join_code(code)
    query = select(Game).where(Game.code == normalized)
    game = session.scalar(query.with_for_update() if lock else query) if normalized else None
    if game is None:
        raise NotFound("game_not_found", code=normalized or code)
    return game


def find_game(session: Session, code: str) -> GameView:
    return game_view(load_game(session, code))


def require_host(session: Session, code: str, credential: str | None, *, lock: bool = False) -> Game:
    """The game, if `credential` is a live session of the teacher it belongs to; every
    host-only action, page and download starts here."""
    teacher = require_teacher(session, credential)
    game = load_game(session, code, lock=lock)
    if game.owner_id != teacher.id:
        raise NotAllowed("not_your_game" if game.owner_id is not None else "game_unclaimed")
    return game


def is_host(session: Session, code: str, credential: str | None) -> bool:
    try:
        require_host(session, code, credential)
    except (NotAllowed, NotFound):
        return False
    return True


def my_games(session: Session, credential: str | None) -> list[MyGameRow]:
    """The signed-in teacher's games, newest first, with what they need to find one again."""
    teacher = require_teacher(session, credential)
    games = list(session.scalars(select(Game).where(Game.owner_id == teacher.id).order_by(Game.created_at.desc())))
    ids = [g.id for g in games]
    players = dict(
        session.execute(
            select(Player.game_id, func.count())
            .where(Player.game_id.in_(ids), Player.is_ai.is_(False), Player.kicked_at.is_(None))
            .group_by(Player.game_id)
        ).all()
    )
    latest: dict[int, Round] = {}
    for round_ in session.scalars(
        select(Round).where(Round.game_id.in_(ids), Round.started_at.is_not(None)).order_by(Round.number)
    ):
        latest[round_.game_id] = round_
    now = utcnow()
    from game.retention import deletion_dates  # retention deletes through game.moderation, which imports this

    deleted_on = deletion_dates(session, games)
    rows = []
    for game in games:
        started = latest.get(game.id)
        state = "lobby"
        if started is not None:
            state = started.status
            if state == RoundStatus.OPEN and started.ends_at is not None and started.ends_at <= now:
                state = RoundStatus.CLOSED
        if game.kind == GameKind.HOMEWORK:
            state = "homework_closed" if game.closes_at is not None and game.closes_at <= now else "homework"
        rows.append(
            MyGameRow(
                code=game.code,
                title=game.title,
                created_at=game.created_at,
                players=players.get(game.id, 0),
                state=state,
                round_number=started.number if started else None,
                closes_at=game.closes_at,
                deleted_on=deleted_on.get(game.id),
            )
        )
    return rows


def clean_nickname(raw: str) -> str:
    nickname = clean_text(raw)
    if not nickname:
        raise InvalidInput("nickname_empty")
    if not has_visible_letter(nickname):  # only fillers, blanks or symbols
        raise InvalidInput("nickname_no_letter")
    if len(nickname) > NICKNAME_MAX:
        raise InvalidInput("nickname_too_long", maximum=NICKNAME_MAX)
    if fold_key(nickname).strip(" 🤖") in RESERVED_KEYS:
        raise InvalidInput("nickname_reserved", nickname=nickname)
    return nickname


def nickname_key(session: Session, game: Game, nickname: str, *, other_than: int | None = None) -> str:
    """The nickname's key (its confusable skeleton), if no other player of the game has it."""
    key = fold_key(nickname)
    query = select(Player.id).where(Player.game_id == game.id, Player.nickname_key == key)
    if other_than is not None:
        query = query.where(Player.id != other_than)
    if session.scalar(query) is not None:
        raise InvalidInput("nickname_taken", nickname=nickname)
    return key


def join_game(
    session: Session,
    code: str,
    nickname: str,
    now: datetime | None = None,
    *,
    browser: str | None = None,
    rejoin_code: str | None = None,
    student_id: int | None = None,
) -> JoinedPlayer:
    """`browser`: what identifies the student's browser (a cookie), so that a removed player
    cannot come back under another name from it and one browser cannot flood the game.
    `rejoin_code`: the console's let-back-in code, to continue as the player of that nickname.
    `student_id`: in a game of a class with a roster, the name picked from the list (the
    only way in: no nickname is typed)."""
    roster_student = None
    if student_id is not None or (rejoin_code and rejoin_code.strip()):
        roster_student = _roster_student(session, load_game(session, code), student_id)
        if roster_student is not None:
            nickname = roster_student.name
    if rejoin_code and rejoin_code.strip():
        return rejoin_with_code(session, code, nickname, rejoin_code, now, browser=browser)
    game = load_game(session, code, lock=True)
    if roster_student is None and has_roster(session, game):
        raise InvalidInput("roster_pick_name")
    if game.kind == GameKind.HOMEWORK and game.closes_at is not None and game.closes_at <= (now or utcnow()):
        raise NotAllowed("assignment_closed")
    if game.joining_locked:
        raise NotAllowed("joining_locked")
    browser_key = hash_token(browser) if browser else None
    if browser_key is not None:
        check_browser(session, game, browser_key)
    players = session.scalar(
        select(func.count()).where(Player.game_id == game.id, Player.is_ai.is_(False), Player.kicked_at.is_(None))
    )
    if (players or 0) >= game.player_cap:
        raise NotAllowed("game_full", count=game.player_cap)
    if roster_student is None:
        nickname = clean_nickname(nickname)
        check_nickname(game, nickname)
    taken = "roster_name_taken" if roster_student is not None else "nickname_taken"
    try:
        key = nickname_key(session, game, nickname)
    except InvalidInput:
        raise InvalidInput(taken, nickname=nickname) from None
    token = new_token()
    player = Player(
        game_id=game.id,
        nickname=nickname,
        nickname_key=key,
        token_hash=hash_token(token),
        joined_at=now or utcnow(),
        browser_key=browser_key,
        student_id=roster_student.id if roster_student is not None else None,
    )
    try:
        with session.begin_nested():  # a unique violation is the rule's own message
            session.add(player)
            session.flush()
    except IntegrityError:
        raise InvalidInput(taken, nickname=nickname) from None
    return JoinedPlayer(player=player_view(player), token=token)


def has_roster(session: Session, game: Game) -> bool:
    """Whether the game's class has a roster: its students pick their name from it."""
    return bool(_roster(session, game))


def roster_names(session: Session, code: str) -> list[tuple[int, str]]:
    """(student id, name) of the game's class roster, in its order; empty: type a nickname."""
    return _roster(session, load_game(session, code))


def _roster(session: Session, game: Game) -> list[tuple[int, str]]:
    if game.class_id is None:
        return []
    rows = session.execute(
        select(ClassStudent.id, ClassStudent.name)
        .where(ClassStudent.class_id == game.class_id, ClassStudent.active.is_(True))
        .order_by(ClassStudent.position, ClassStudent.id)
    )
    return [(row.id, row.name) for row in rows]


def _roster_student(session: Session, game: Game, student_id: int | None) -> ClassStudent | None:
    """The roster's student picked on the join form; a name from another class (or from no
    roster) is refused, so no one joins under a name the teacher did not write."""
    if student_id is None or game.class_id is None:
        return None
    student = session.get(ClassStudent, student_id)
    if student is None or student.class_id != game.class_id or not student.active:
        raise InvalidInput("roster_pick_name")
    return student


def check_browser(session: Session, game: Game, browser_key: str) -> None:
    joined = session.execute(
        select(Player.kicked_at).where(Player.game_id == game.id, Player.browser_key == browser_key)
    ).all()
    if any(kicked_at is not None for (kicked_at,) in joined):
        raise NotAllowed("removed_cannot_rejoin")
    if len(joined) >= JOINS_PER_BROWSER:
        raise NotAllowed("too_many_joins", count=JOINS_PER_BROWSER)


def set_room(
    session: Session, code: str, credential: str | None, *, joining_locked: bool, player_cap: int
) -> tuple[bool, int]:
    """The host's room control: close the game to new players, and the most it may hold."""
    game = require_host(session, code, credential, lock=True)
    if not 1 <= player_cap <= PLAYER_CAP_MAX:
        raise InvalidInput("bad_player_cap", minimum=1, maximum=PLAYER_CAP_MAX)
    game.joining_locked, game.player_cap = bool(joining_locked), int(player_cap)
    return game.joining_locked, game.player_cap


def load_player(session: Session, game: Game, token: str | None) -> Player:
    player = None
    if token:
        key = hash_token(token)
        player = session.scalar(select(Player).where(Player.game_id == game.id, Player.token_hash == key))
        if player is None:  # a key given when the student came back
            player = session.scalar(
                select(Player).join(PlayerToken).where(Player.game_id == game.id, PlayerToken.token_hash == key)
            )
    if player is None:
        raise NotAllowed("unknown_player")
    if player.kicked_at is not None:
        raise NotAllowed("player_kicked")
    return player


def find_player(session: Session, code: str, token: str | None) -> PlayerView:
    return player_view(load_player(session, load_game(session, code), token))


def lobby_players(session: Session, code: str) -> list[str]:
    """Nicknames of the students who have joined (not removed, not the AI), in join order:
    what the projector's lobby lists. Nicknames only: nothing private."""
    game = load_game(session, code)
    return list(
        session.scalars(
            select(Player.nickname)
            .where(Player.game_id == game.id, Player.kicked_at.is_(None), Player.is_ai.is_(False))
            .order_by(Player.joined_at, Player.id)
        )
    )


def _new_player_key(session: Session, player: Player, now: datetime | None) -> str:
    token = new_token()
    session.add(PlayerToken(token_hash=hash_token(token), player_id=player.id, created_at=now or utcnow()))
    return token


def rejoin_same_browser(session: Session, code: str, browser: str | None, now: datetime | None = None) -> str | None:
    """A student whose browser already joined this game (the tab was closed, the page reloaded
    without its address): a new key to the same player, or None. A removed player gets none."""
    if not browser:
        return None
    game = load_game(session, code)
    player = session.scalar(
        select(Player)
        .where(Player.game_id == game.id, Player.browser_key == hash_token(browser), Player.is_ai.is_(False))
        .order_by(Player.joined_at.desc(), Player.id.desc())
        .limit(1)
    )
    if player is None or player.kicked_at is not None:
        return None
    return _new_player_key(session, player, now)


def new_rejoin_code(session: Session, code: str, credential: str | None, player_id: int) -> str:
    """The console's *Let back in*: a short code the student types with their nickname on
    another device. It replaces any earlier code of that player."""
    game = require_host(session, code, credential)
    player = session.get(Player, player_id)
    if player is None or player.game_id != game.id or player.is_ai:
        raise NotFound("player_not_found")
    if player.kicked_at is not None:
        raise NotAllowed("player_kicked")
    rejoin = "".join(secrets.choice(REJOIN_ALPHABET) for _ in range(REJOIN_LENGTH))
    player.rejoin_code_hash = hash_token(rejoin)
    player.rejoin_expires_at = utcnow() + REJOIN_LIFETIME
    player.rejoin_failures = 0
    return rejoin


def rejoin_with_code(
    session: Session, code: str, nickname: str, rejoin_code: str, now: datetime | None = None, *, browser: str | None
) -> JoinedPlayer:
    """The player of this nickname, if the code is theirs, unused and not expired. Five wrong
    codes void it (a code cannot be guessed); nobody becomes another student by their name."""
    now = now or utcnow()
    game = load_game(session, code, lock=True)
    player = session.scalar(
        select(Player).where(
            Player.game_id == game.id, Player.nickname_key == fold_key(clean_text(nickname)), Player.is_ai.is_(False)
        )
    )
    typed = normalize_join_code(rejoin_code)
    if player is None or player.rejoin_code_hash is None:
        raise InvalidInput("rejoin_code_wrong")
    if player.kicked_at is not None:
        raise NotAllowed("removed_cannot_rejoin")
    if player.rejoin_expires_at is None or player.rejoin_expires_at <= now:
        player.rejoin_code_hash = None
        raise KeptRefusal("rejoin_code_expired")
    if hash_token(typed) != player.rejoin_code_hash:
        player.rejoin_failures += 1
        if player.rejoin_failures >= REJOIN_TRIES:
            player.rejoin_code_hash = None
        raise KeptRefusal("rejoin_code_wrong")
    player.rejoin_code_hash, player.rejoin_expires_at, player.rejoin_failures = None, None, 0
    if browser:  # this device now finds the player again by itself
        player.browser_key = hash_token(browser)
    return JoinedPlayer(player=player_view(player), token=_new_player_key(session, player, now))
