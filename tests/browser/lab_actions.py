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


def run_cell(page: Page, cell) -> None:
    """Run ``cell`` as a trainee does (a click in its editor, Shift+Enter) and wait until it has run.

    A keystroke can land while a widget above is redrawn and takes the focus: then the cell's prompt never
    changes (a queued or running cell shows ``[*]`` at once), and the trainee presses again; so does this.
    """
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for attempt in range(3):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            expect(prompt).not_to_have_text(before, timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(prompt).not_to_contain_text("*", timeout=RUN_TIMEOUT)


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


def kernel_connection_file(lab, notebook: str):
    """The connection file of the kernel the lab runs for ``notebook`` (found through the server's sessions)."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{lab.url}/api/sessions", headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        sessions = json.load(response)
    kernel_ids = [s["kernel"]["id"] for s in sessions if s["path"] == notebook]
    assert len(kernel_ids) == 1, f"expected one kernel for {notebook}, found {sessions}"
    return lab.log.parent / "jupyter-runtime" / f"kernel-{kernel_ids[0]}.json"


class BusyKernel:
    """Keep a notebook's kernel busy for a while from a second client, as a loaded machine would.

    While the kernel runs ``time.sleep``, the browser's widget messages queue up behind it: ipywidgets
    then holds back a model's later updates but still sends a button's click, so the order in which the
    kernel sees them is the one a slow machine produces, every time.
    """

    def __init__(self, lab, notebook: str, seconds: float) -> None:
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient()
        self.client.load_connection_file(kernel_connection_file(lab, notebook))
        self.seconds = seconds

    def __enter__(self) -> BusyKernel:
        self.client.start_channels()
        self.msg_id = self.client.execute(f"import time; time.sleep({self.seconds})", store_history=False)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.client.get_shell_msg(timeout=self.seconds + 60)  # the sleep's reply: the queue moves again
        finally:
            self.client.stop_channels()
