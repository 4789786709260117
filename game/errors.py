"""Errors the rules raise: a message key for ui/i18n plus the values it needs.

game/ never formats text for people; pages translate `key` into the player's language.
"""

from __future__ import annotations

from db.session import KeepChanges


class GameError(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        extra = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.key}({extra})" if extra else self.key


class NotFound(GameError):
    pass


class NotAllowed(GameError):
    pass


class InvalidInput(GameError):
    pass


class KeptRefusal(InvalidInput, KeepChanges):
    """A refusal whose record is stored all the same (e.g. a wrong let-back-in code counts
    toward voiding it): the transaction commits, then the message is shown."""
