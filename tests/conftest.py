"""Shared fixtures: the repository root and a clean content path for each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = ROOT / "test-artifacts"
# Flags that work for Debian's chromium as root on this kind of machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_configure(config: pytest.Config) -> None:
    """Kept sentence vectors (scoring/kept_vectors.py) go to a folder of the test run, not the user's cache."""
    import tempfile

    config._course_cache = tempfile.mkdtemp(prefix="course-cache-")  # type: ignore[attr-defined]
    os.environ["COURSE_CACHE_DIR"] = config._course_cache  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_course_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _packaged_content_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the packaged content unless they set COURSE_CONTENT_PATH themselves."""
    monkeypatch.delenv("COURSE_CONTENT_PATH", raising=False)


@pytest.fixture
def repo_root() -> Path:
    return ROOT


def content_variant(folder: Path, name: str, change: Callable[[dict], object]) -> Path:
    """Write the packaged content file ``name`` (e.g. "m1-brainstorm.yaml"), changed by ``change(data)``,
    to ``folder/name``: a malformed or organisation-specific copy for a test."""
    from course_lib.models import PACKAGED_CONTENT

    source = next(PACKAGED_CONTENT.rglob(name))
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    change(data)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


# -- real browser: one Playwright and one Chromium for the whole session ---------
def _chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if os.path.exists(path):
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is required in CI")
    pytest.skip("chromium not found (install Debian's chromium to run the browser tests)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by sync Playwright (never a downloaded browser)."""
    executable = _chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is required in CI")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _local_only(route) -> None:
    host = urlsplit(route.request.url).hostname
    # file: for pages a test generated on disk (feedback, reports); they may still not reach the network.
    if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:", "file:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in a fresh context that can only reach 127.0.0.1/localhost.

    A screenshot is saved to test-artifacts/<test name>.png when the test ends,
    pass or fail (set ``request.node.screenshot_name`` to choose the name).
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.route("**/*", _local_only)
    try:
        yield page
    finally:
        name = getattr(request.node, "screenshot_name", request.node.name)
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
        except Exception as exc:  # a failed screenshot must not hide the real failure
            print(f"could not save screenshot: {exc}")
        context.close()
