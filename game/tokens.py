"""Join codes and secret tokens."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O and no 1/I: codes are read off a projector and typed by children.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_join_code(raw: str) -> str:
    """Accept what a student may type: lower case, spaces, dashes."""
    return "".join(ch for ch in raw.upper() if not ch.isspace() and ch != "-")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(token.encode()).hexdigest()
