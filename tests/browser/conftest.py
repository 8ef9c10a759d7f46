"""Browser tests: Chromium driven by Playwright against Django's live server.

Each test gets its own cast (coexist/testing/cast.py), created inside the transactional test
database the live server reads. Helpers sign in through the real form, save a full-page screenshot
of each page visited into test-results/screenshots/, and check pages with axe-core.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from coexist.accounts.models import User
from coexist.audit import db_guard
from coexist.testing.cast import Cast, make_cast

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"  # UserFactory's password
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _access_log_guard(transactional_db: None) -> Iterator[None]:
    """Keep the access log append-only during each test, and let Django empty the tables after it.

    The live server needs a transactional database, which Django empties after each test by
    deleting (SQLite) or truncating (PostgreSQL) every table; the append-only triggers refuse that
    for the access log. A previous test's flush has lifted the guard, so setup puts it back
    (install is idempotent).
    """
    db_guard.install(connection)
    yield
    # This fixture depends on transactional_db, so this teardown runs just before its flush. The
    # guard is lifted only so that the flush can empty the access log; the next test's setup (or
    # _access_log_guard_restored, after the last test here) puts it back.
    db_guard.remove(connection)


@pytest.fixture(scope="module", autouse=True)
def _access_log_guard_restored(django_db_blocker: Any) -> Iterator[None]:
    """Put the guard back after this module's last test and its flush, for whatever test runs next."""
    yield
    with django_db_blocker.unblock():
        db_guard.install(connection)
        # Close it, or on PostgreSQL this connection is still open when the test database is dropped.
        connection.close()


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(page: Page) -> Iterator[None]:
    """Fail a test if the browser refused anything under the content security policy (an inline style, say)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield
    assert not refused, "The content security policy refused something:\n" + "\n".join(refused)


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    """The named cast, in the transactional database the live server can see (not the root `db` one)."""
    return make_cast()


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-results/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_through_form(page: Page, base_url: str, user: User, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in form; check the user got through, unless the password is wrong."""
    page.goto(f"{base_url}/sign-in/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if password == PASSWORD:
        expect(page.get_by_role("navigation", name="Account")).to_contain_text("Sign out")


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def assert_accessible(page: Page) -> None:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page; fail on any serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Not page.add_script_tag(path=AXE_JS): that writes an inline <script>, which Coexist's
        # content security policy (script-src 'self') refuses. Evaluating the same file through
        # DevTools is not subject to the page's policy, so the policy stays on for the app itself.
        page.evaluate(f"{_axe_source()}\n;undefined")
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]],
        }
        for v in blocking
    ]
    assert not blocking, f"axe found accessibility violations on {page.url}:\n{json.dumps(report, indent=2)}"


# The helpers as fixtures, so test modules need not import this conftest (the root one shares its name).


@pytest.fixture
def live_url(live_server: Any) -> Callable[[str], str]:
    """The live server's address for a path, e.g. live_url("/people/")."""
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Callable[..., None]:
    """sign_in(user, password=...): sign in through the real form in this test's page."""
    return lambda user, password=PASSWORD: sign_in_through_form(page, live_server.url, user, password)


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """screenshot(name): save this test's page, full length, as test-results/screenshots/<name>.png."""
    return lambda name: save_screenshot(page, name)


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture() -> Callable[[Page], None]:
    return assert_accessible
