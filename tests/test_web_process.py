"""A web server with an external worker loads no model library: every page runs in a fresh
Python process (Streamlit's AppTest, the HTTP routes imported as app.py does) and the module
list is read afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from config import PROJECT_DIR

PAGES_THEN_MODULES = """
import json, sys
from streamlit.testing.v1 import AppTest
import server.routes  # what app.py mounts beside the pages
app = AppTest.from_file(sys.argv[1], default_timeout=60)
app.run()
for page in ("host", "play", "board", "results", "signin", "games", "teachers"):
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
print(json.dumps(sorted(sys.modules)))
"""
MODEL_LIBRARIES = {"torch", "diffusers", "transformers", "worker"}


def loaded_modules(tmp_path: Path, worker_mode: str) -> set[str]:
    environment = {
        "PROMPTMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'game.db'}",
        "PROMPTMATCH_DATA_DIR": str(tmp_path),
        "PROMPTMATCH_ENGINE": "sketch",
        "PROMPTMATCH_WORKER": worker_mode,
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", PAGES_THEN_MODULES, str(PROJECT_DIR / "streamlit_app.py")],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_with_an_external_worker_the_pages_never_import_torch(tmp_path: Path) -> None:
    top_level = {name.split(".")[0] for name in loaded_modules(tmp_path, "external")}
    assert top_level & MODEL_LIBRARIES == set()


def test_in_thread_mode_the_same_pages_do_start_the_worker(tmp_path: Path) -> None:
    """The check above can fail: the same run in thread mode does load the worker and torch."""
    top_level = {name.split(".")[0] for name in loaded_modules(tmp_path, "thread")}
    assert {"worker", "torch"} <= top_level
