"""What the privacy notice for families says, from this server's actual settings: how long
games are kept, whether classes use rosters (real names), whether teachers sign in with the
school's provider, and whom to ask. The words are in the catalogs (ui/locales); this module
only gathers the facts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ClassStudent, ServerSetting
from game.accounts import allowed_logins, require_admin
from game.errors import InvalidInput
from game.retention import retention_days

CONTACT = "privacy_contact"
CONTACT_MAX = 300


@dataclass(frozen=True)
class PrivacyFacts:
    retention_days: int
    contact: str  # the administrator's words: a name, an e-mail address, the school office
    rosters: bool  # some class on this server has a roster (students' names as the teacher wrote them)
    school_signin: bool  # teachers sign in with the school's provider (their e-mail address is kept)


def privacy_facts(session: Session) -> PrivacyFacts:
    contact = session.get(ServerSetting, CONTACT)
    return PrivacyFacts(
        retention_days=retention_days(session),
        contact=contact.value if contact is not None else "",
        rosters=session.scalar(select(ClassStudent.id).limit(1)) is not None,
        school_signin=bool(allowed_logins(session)),
    )


def set_contact(session: Session, admin_credential: str | None, contact: str) -> str:
    require_admin(session, admin_credential)
    contact = " ".join(contact.split())
    if len(contact) > CONTACT_MAX:
        raise InvalidInput("privacy_contact_too_long", maximum=CONTACT_MAX)
    row = session.get(ServerSetting, CONTACT)
    if row is None:
        session.add(ServerSetting(name=CONTACT, value=contact))
    else:
        row.value = contact
    return contact
