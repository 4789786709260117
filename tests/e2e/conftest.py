"""A real `streamlit run` server and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import servers

from bench.server import CHROMIUM, CHROMIUM_ARGS
from config import PROJECT_DIR

# Screenshots of a failed browser test's pages (ignored by git).
FAILURES = PROJECT_DIR / "test-failures"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    assert shutil.which(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield PatientBrowser(launched)
        launched.close()


class PatientBrowser:
    """The browser, whose contexts wait up to 90 s for a page: with a server, a worker and
    six live pages on two cores, a page load can take tens of seconds under CI load. It keeps
    the contexts of the running test, to photograph them if the test fails and to close them
    after it, and what each page said on its console (errors, failed connections)."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.contexts: list = []
        self.console: list[str] = []
        self.kept: list[str] = []  # what the running test's failure left in test-failures/

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_navigation_timeout(90_000)
        context.set_default_timeout(90_000)
        number = len(self.contexts)
        context.on("console", lambda message: self._note(number, f"{message.type}: {message.text}"))
        context.on("weberror", lambda error: self._note(number, f"page error: {error.error}"))
        self.contexts.append(context)
        return context

    def _note(self, context_number: int, line: str) -> None:
        if not line.startswith(("log:", "debug:", "info:")):
            self.console.append(f"{time.strftime('%H:%M:%S')} context {context_number}: {line}")

    def photograph(self, name: str) -> None:
        """Screenshots of every open page and the console lines, into test-failures/."""
        if self.kept:
            return  # already photographed while the server served them
        FAILURES.mkdir(exist_ok=True)
        for number, page in enumerate(p for context in self.contexts for p in context.pages):
            path = FAILURES / f"{name}-{number}.png"
            with contextlib.suppress(Exception):
                page.screenshot(path=path, full_page=True, timeout=10_000)
                self.kept.append(str(path.relative_to(PROJECT_DIR)))
            with contextlib.suppress(Exception):  # hidden pages' timers slow down; the live parts
                hidden = page.evaluate("document.visibilityState")
                countdown = page.locator(".pm-countdown").all_text_contents()  # in a shadow root
                queue = page.locator(".pm-queue").all_text_contents()
                when = time.strftime("%H:%M:%S")
                self.console.append(f"{when} page {number} {page.url}: {hidden}, countdown {countdown}, queue {queue}")
        console = FAILURES / f"{name}-console.txt"
        console.write_text("\n".join(self.console) + "\n")
        self.kept.append(str(console.relative_to(PROJECT_DIR)))

    def close_contexts(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()
        self.contexts.clear()
        self.console.clear()
        self.kept.clear()


@pytest.fixture(autouse=True)
def close_pages_after_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    look = functools.partial(browser.photograph, request.node.name) if browser is not None else None
    if look is not None:
        servers.before_a_failed_server_stops.append(look)
    yield
    if look is not None:
        servers.before_a_failed_server_stops.remove(look)
        browser.close_contexts()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failing browser test says in one line what it waited for and where the screenshots
    of its pages are, instead of pages of Playwright traceback."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or call.excinfo is None:
        return
    browser = getattr(item, "funcargs", {}).get("browser")
    shots = []
    if isinstance(browser, PatientBrowser):
        browser.photograph(item.name)  # unless done before the server stopped (tests/servers.py)
        shots = list(browser.kept)
    # The servers' logs (each with its threads' stacks at the failure, see bench/server.py).
    home = getattr(item, "funcargs", {}).get("tmp_path")
    if isinstance(home, Path):
        FAILURES.mkdir(exist_ok=True)
        for log in sorted(home.glob("server-*.log")):
            with contextlib.suppress(OSError):
                copy = FAILURES / f"{item.name}-{log.name}"
                shutil.copyfile(log, copy)
                shots.append(str(copy.relative_to(PROJECT_DIR)))
    lines = [line.strip() for line in call.excinfo.exconly().splitlines() if line.strip()]
    waited = next((line.lstrip("- ") for line in lines if line.lstrip("- ").startswith("waiting for")), None)
    ours = [entry for entry in call.excinfo.traceback if str(PROJECT_DIR / "tests") in str(entry.path)]
    where = ours[-1] if ours else None
    place = f"{Path(str(where.path)).name}:{where.lineno + 1}" if where is not None else item.nodeid
    summary = lines[0] if lines else "failed"
    kept = ", ".join(shots) or "none"
    waited_for = f" ({waited})" if waited else ""
    report.longrepr = f"{place}: {summary}{waited_for}; screenshots and server logs: {kept}"
