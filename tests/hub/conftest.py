"""Fixtures for the course server tests: one real hub for the whole session (tests/hub/course_hub.py).

The hub needs root (OS users, PAM, servers run as each user), node and Debian's python3: without
them the tests are skipped with the reason, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from deploy.course_server import FACILITATORS, INSTRUCTORS, TRAINEES
from tests.conftest import ARTIFACTS_DIR, _local_only
from tests.hub.course_hub import CourseHub, HubUser, course_hub, hub_unavailable

# Short names; the OS and hub users are "<run tag>-<short name>".
ROSTER = {TRAINEES: ["ana", "ben", "cleo"], INSTRUCTORS: ["ines"], FACILITATORS: ["fay"]}
LOGIN_TIMEOUT = 180_000  # ms: login, then the server's first start on a busy 2-core machine


def _require_hub() -> None:
    reason = hub_unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"course server tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def hub() -> Iterator[CourseHub]:
    """The course server with three trainees, an instructor and a facilitator, all logged out."""
    _require_hub()
    with course_hub(ROSTER) as running:
        yield running


def log_in(browser, hub: CourseHub, user: HubUser, *, expect_lab: bool = True):
    """A new browser context logged in as ``user`` through the hub's login form; returns its page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.route("**/*", _local_only)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user.name)
    page.fill("#password_input", user.password)
    page.click("#login_submit")
    if expect_lab:
        page.wait_for_url(re.compile(rf"/user/{user.name}/lab"), timeout=LOGIN_TIMEOUT)
    return page


def screenshot(page, name: str) -> None:
    """Save what ``page`` shows to test-artifacts/<name>.png (never hides the real failure)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
    except Exception as exc:  # noqa: BLE001
        print(f"could not save screenshot {name}: {exc}")
