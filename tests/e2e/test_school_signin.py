"""School sign-in through Streamlit's own st.login against a real local OpenID Connect
provider (oidc-provider-mock, never a real one): an address of the domain the administrator
allowed becomes a teacher account and lands on My games; any other address is turned away."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import create_first_teacher, key
from playwright.sync_api import expect
from servers import streamlit_server

pytestmark = pytest.mark.e2e

WAIT = 90_000


@pytest.fixture
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    park = User(sub="park@school.kr", claims={"email": "park@school.kr", "email_verified": True, "name": "Ms Park"})
    with run_server_in_thread(user_claims=[park]) as server:
        yield f"http://localhost:{server.server_port}"


def test_a_teacher_signs_in_with_the_school_account_the_administrator_allowed(
    provider: str, tmp_path: Path, browser
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a test cookie secret that is long enough"\n'
        'client_id = "promptmatch"\n'
        'client_secret = "promptmatch-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    database = f"sqlite:///{tmp_path / 'school.db'}"
    options = {"secrets.files": str(secrets)}
    with streamlit_server(tmp_path, options=options, database_url=database, engine="sketch", worker="thread") as server:
        admin = browser.new_context().new_page()
        create_first_teacher(admin, server, "Ms Kim", "a long password")
        admin.goto(f"{server}/teachers")
        key(admin, "school_logins", "textarea").fill("@school.kr")
        key(admin, "save_school_logins", "button").click()
        expect(admin.get_by_text("Saved: 1 entry.")).to_be_visible(timeout=WAIT)

        park = browser.new_context().new_page()
        park.goto(f"{server}/signin")
        key(park, "school_sign_in", "button").click()
        park.get_by_role("button", name="park@school.kr").click()  # the provider's own page
        expect(park.get_by_role("heading", name="My games")).to_be_visible(timeout=WAIT)
        expect(park.get_by_text("Signed in as Ms Park")).to_be_visible()

        eve = browser.new_context().new_page()
        eve.goto(f"{server}/signin")
        key(eve, "school_sign_in", "button").click()
        eve.locator("input[name=sub]").fill("eve@elsewhere.example")
        eve.locator("input[name=sub]").press("Enter")
        expect(eve.get_by_text("not allowed on this server")).to_be_visible(timeout=WAIT)
        eve.goto(f"{server}/games")
        expect(eve.get_by_text("This page is for teachers. Please sign in.")).to_be_visible(timeout=WAIT)
        # Only Ms Kim and Ms Park have accounts.
        admin.goto(f"{server}/teachers")
        expect(key(admin, "teacher_2")).to_contain_text("park@school.kr", timeout=WAIT)
        expect(key(admin, "teacher_3")).to_have_count(0)
