"""`python -m worker`: a generation worker in its own process, for a GPU server or several
workers sharing one PostgreSQL database (see README, "Several workers")."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys

from config import load_settings
from db.session import open_database
from server.startup import STARTUP_ERRORS, startup_failure
from worker.runner import Worker

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a Prompt Match generation worker.")
    parser.add_argument("--database-url", help="defaults to PROMPTMATCH_DATABASE_URL")
    parser.add_argument("--device", help="cpu, cuda, cuda:0 … (default: auto)")
    parser.add_argument("--batch", type=int, help="prompts per pipeline call")
    parser.add_argument("--lease", type=float, help="seconds without a heartbeat before a worker is presumed dead")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = load_settings()
    changes: dict[str, object] = {}
    if args.database_url:
        changes["database_url"] = args.database_url
    if args.device:
        changes["device"] = args.device
    if args.batch:
        changes["batch_size"] = args.batch
    if args.lease:
        changes["worker_lease_s"] = args.lease
    settings = settings.with_changes(**changes)
    try:
        database = open_database(settings.database_url)
    except STARTUP_ERRORS as error:  # one plain paragraph, not a traceback
        print(startup_failure(error, settings), file=sys.stderr, flush=True)
        sys.exit(2)
    worker = Worker(database, settings)
    log.info("worker %s on %s", worker.worker_id, settings.database_url.split("@")[-1])
    # SIGTERM (docker stop, systemd) finishes the batch in hand, then exits.
    signal.signal(signal.SIGTERM, lambda *_: worker.stop_event.set())
    with contextlib.suppress(KeyboardInterrupt):
        worker.run_forever()


if __name__ == "__main__":
    main()
