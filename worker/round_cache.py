"""A small cache keyed by round: the worker keeps what it computed for the rounds being
played (target features, the round's feedback), and lets the oldest go."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")

# A class plays one round at a time; a few more cover a teacher who reopens an earlier round
# and several games sharing one server.
ROUNDS_KEPT = 8


class RoundCache(Generic[Value]):
    def __init__(self, size: int = ROUNDS_KEPT) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Value] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], Value]) -> Value:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = build()
        self._values[key] = value
        while len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
