"""Process-wide resources for the pages: settings, the database, the embedded worker."""

from __future__ import annotations

import logging
from datetime import timedelta

import streamlit as st

from config import Settings, load_settings
from db.queue import live_workers
from db.session import Database, open_database
from engine.worker import Worker

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return open_database(url)


@st.cache_resource(show_spinner=False)
def _embedded_worker(url: str) -> Worker:
    """Started once per server process; the daemon thread owns the models."""
    settings = load_settings()
    worker = Worker(_database(url), settings, sole_worker=True)
    worker.start_thread()
    log.info("embedded generation worker %s started", worker.worker_id)
    return worker


def settings() -> Settings:
    return load_settings()


def database() -> Database:
    current = settings()
    db = _database(current.database_url)
    if current.worker == "thread":
        _embedded_worker(current.database_url)
    return db


def teacher_pin() -> str | None:
    """From the environment, or from Streamlit secrets (`teacher_pin = "1234"`)."""
    pin = settings().teacher_pin
    if pin:
        return pin
    try:
        value = st.secrets.get("teacher_pin")
    except (FileNotFoundError, KeyError, AttributeError):
        return None
    except Exception:  # no secrets file at all
        return None
    return str(value) if value else None


def worker_notes(db: Database) -> tuple[int, list[str]]:
    with db.read() as session:
        workers = live_workers(session, timedelta(seconds=settings().worker_lease_s + 5))
        return len(workers), sorted({w.note for w in workers if w.note})
