"""Addresses of stored pictures that only the people shown them can open.

A page draws a picture from `/api/images/<id>/<signature>`: the browser fetches it once and
caches it for good (an image row never changes), so a page that reruns never sends it again.
The signature is an HMAC of the id with a secret kept in the database, so a student cannot
guess the address of another student's picture; the server hands an address only to a page
that may show that picture (the same rules as before: views carry image ids only when the
viewer may see them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImageBlob, ServerSecret
from db.session import Database

SECRET_NAME = "image_urls"


def url_secret(session: Session) -> str:
    """The database's secret for image addresses (made by migration 0005, or here if absent)."""
    value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == SECRET_NAME))
    if value is None:
        value = secrets.token_hex(32)
        session.add(ServerSecret(name=SECRET_NAME, value=value))
        session.flush()
    return value


_secrets: dict[str, str] = {}
_secrets_lock = threading.Lock()


def image_secret(database: Database) -> str:
    """`url_secret`, read once per process and database."""
    with _secrets_lock:
        if database.url not in _secrets:
            with database.write() as session:
                _secrets[database.url] = url_secret(session)
        return _secrets[database.url]


def signature(secret: str, image_id: int) -> str:
    return hmac.new(secret.encode(), str(image_id).encode(), hashlib.sha256).hexdigest()[:24]


def image_path(secret: str, image_id: int) -> str:
    return f"/api/images/{image_id}/{signature(secret, image_id)}"


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    mime: str


def signed_image(session: Session, secret: str, image_id: int, given_signature: str) -> StoredImage | None:
    """The picture, if the signature is the one this server gave out for it."""
    if not hmac.compare_digest(signature(secret, image_id), given_signature):
        return None
    row = session.execute(select(ImageBlob.data, ImageBlob.mime).where(ImageBlob.id == image_id)).first()
    return StoredImage(row.data, row.mime) if row else None
