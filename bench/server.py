"""Start the app as `make run` does, for benchmarks and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from config import PROJECT_DIR

# Debian's Chromium, as the browser tests and bench.browser_idle start it (Playwright's own
# browser download does not work here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Several pages share one browser: keep every page's timers running as a page in front does.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]

# What `make run` passes to `streamlit run` (see the Makefile).
APP_ENTRY = "app.py"
DIAGNOSTICS = PROJECT_DIR / "bench" / "diagnostics"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a child process: PROMPTMATCH_<NAME> for each keyword; the data
    directory is `home` unless a `data_dir` keyword says otherwise."""
    # PYTHONFAULTHANDLER: a child that dies of a fatal signal writes every thread's stack to its log.
    # bench/diagnostics: SIGUSR1 writes every thread's stack to the log (see app_server).
    path = os.pathsep.join(p for p in (str(DIAGNOSTICS), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONFAULTHANDLER="1",
        PYTHONPATH=path,
        PROMPTMATCH_DATA_DIR=str(home),
    )
    env.update({f"PROMPTMATCH_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def app_server(
    home: Path, *, options: Mapping[str, str] | None = None, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`streamlit run app.py` on a free port of 127.0.0.1; yields its base URL and process.
    `options`: more of Streamlit's own (e.g. {"secrets.files": path}). Logs go to
    home/server-<port>.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = app_env(home, public_url=url, **settings)
    log_path = home / f"server-{port}.log"
    # Appending: the notes written below land after what the server wrote, not over it.
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / APP_ENTRY)),
                *("--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"),
                *(arg for name, value in (options or {}).items() for arg in (f"--{name}", value)),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(240):
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError("streamlit exited: " + log_path.read_text()) from None
                    time.sleep(0.5)
            else:
                raise RuntimeError("streamlit did not start: " + log_path.read_text())
            yield url, process
        except BaseException:  # what used it failed: keep where the server was at that moment
            if process.poll() is None:
                healthy = "answered" if answers(url) else "did not answer"
                with open(log_path, "a") as note:
                    note.write(f"\n[the server's user failed; it {healthy} its health check; its threads:]\n")
                process.send_signal(signal.SIGUSR1)
                time.sleep(2)
            raise
        finally:
            if process.poll() is not None:  # it should still be serving: say how it ended
                with open(log_path, "a") as note:
                    note.write(f"\n[the server had exited with code {process.returncode} before it was stopped]\n")
            stop(process)


def answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a child process to end (SIGTERM); kill it if it has not within 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
