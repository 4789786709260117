"""The privacy notice for families: what this server keeps about students, where, who sees
it, for how long, and how to have it erased — from the server's own settings."""

import streamlit as st

from engine.models import model_preset
from game.privacy import privacy_facts
from ui.i18n import t
from ui.markup import Safe
from ui.services import database, settings

with database().read() as session:
    facts = privacy_facts(session)

roster_kept = " " + t("privacy_how_long_roster") if facts.rosters else ""
st.title(t("privacy_title"))
st.caption(t("privacy_intro"))
sections = [
    ("privacy_what_header", t("privacy_what") + (" " + t("privacy_what_roster") if facts.rosters else "")),
    ("privacy_where_header", t("privacy_where")),
    ("privacy_who_header", t("privacy_who")),
    ("privacy_how_long_header", t("privacy_how_long", count=facts.retention_days) + roster_kept),
    ("privacy_erase_header", t("privacy_erase")),
    (
        "privacy_teachers_header",
        t("privacy_teachers") + (" " + t("privacy_teachers_school") if facts.school_signin else ""),
    ),
]
model = model_preset(settings().model)
if model.known:
    about_model = t("privacy_model", model=model.repository, licence=model.licence, url=Safe(model.licence_url))
    about_model += "".join(" " + t(key) for key in (model.notice_key, model.restrictions_key) if key)
else:
    about_model = t("privacy_model_unknown", model=model.repository)
sections.append(("privacy_model_header", about_model))
for header, body in sections:
    st.subheader(t(header))
    st.write(body)
st.subheader(t("privacy_contact_header"))
with st.container(key="privacy_contact"):
    st.text(facts.contact or t("privacy_contact_none"))
st.caption(t("privacy_generated"))
