"""Actions on a live JupyterLab page shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LOAD_TIMEOUT = 90_000  # ms: JupyterLab plus a kernel start can take a while on 2 cores
RUN_TIMEOUT = 60_000


def wait_for_idle_kernel(page: Page) -> None:
    """The status bar says '... | Idle' only once the kernel is really connected."""
    expect(page.locator(".jp-StatusBar-Widget").filter(has_text="| Idle").first).to_be_visible(timeout=LOAD_TIMEOUT)


def run_all(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def save_notebook(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).click()
    page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
    expect(page.locator(".jp-NotebookPanel")).to_have_count(1)
    expect(page.locator(".lm-TabBar-tab.jp-mod-dirty")).to_have_count(0, timeout=RUN_TIMEOUT)


def open_notebook(page: Page, lab, notebook: str) -> None:
    """Open ``notebook`` (a path under the server's root) and wait for its kernel."""
    page.goto(lab.lab_url(notebook), timeout=LOAD_TIMEOUT)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=LOAD_TIMEOUT)
    wait_for_idle_kernel(page)


def code_cell(page: Page, source: str):
    """The code cell whose source contains ``source``."""
    return page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=source))


def open_alone(page: Page, lab, notebook: str) -> None:
    """Like :func:`open_notebook`, with ``reset``: tabs an earlier test left in the workspace are closed."""
    page.goto(lab.lab_url(notebook) + "&reset", timeout=LOAD_TIMEOUT)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=LOAD_TIMEOUT)
    wait_for_idle_kernel(page)


def run_all_and_wait(page: Page) -> None:
    """Run All, then wait until no cell is still queued or running and the kernel is idle."""
    run_all(page)
    expect(page.locator(".jp-CodeCell .jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=RUN_TIMEOUT)
    wait_for_idle_kernel(page)


def render_every_cell(settings_dir) -> None:
    """User settings that make JupyterLab 4 render every cell, not only those on screen (for whole-page checks)."""
    import json

    tracker = settings_dir / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
