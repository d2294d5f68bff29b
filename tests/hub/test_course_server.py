"""A real class on the course server, end to end in Chromium.

Three trainees and an instructor log in through the hub (PAM passwords of real OS users). The
instructor releases module1 (as the grader account in an ordinary shell, without the hub's
environment: the course folder itself knows the exchange); each trainee
fetches it from JupyterLab's Assignments tab, answers the brainstorm in the browser and submits.
The hub is restarted mid-session. The instructor collects, grades (deploy/grade.sh, as root) and
releases feedback; a trainee fetches it and opens it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from deploy.course_server import GRADER_SERVICE  # noqa: E402
from tests.browser.lab_actions import LOAD_TIMEOUT, RUN_TIMEOUT, run_all, save_notebook, wait_for_idle_kernel  # noqa: E402
from tests.hub.conftest import log_in, screenshot  # noqa: E402
from tests.hub.course_hub import REPO, CourseHub  # noqa: E402

pytestmark = pytest.mark.browser

TRAINEE_NAMES = ("ana", "ben", "cleo")
IDEAS = {
    "ana": ["Listen to the whole question before answering", "Call the customer back when I promised"],
    "ben": ["Greet every caller by name", "Explain what happens next and when"],
    "cleo": ["Apologise once, then fix the problem", "Check the order before the customer asks"],
}


def open_assignments(page: Page) -> None:
    """JupyterLab's Nbgrader menu > Assignment List: the Assignments tab."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    page.locator(".lm-Menu-item", has_text="Assignment List").click()
    expect(page.locator("#released_assignments_list")).to_be_visible(timeout=LOAD_TIMEOUT)


def assignment_row(page: Page, listing: str):
    return page.locator(f"#{listing} .list_item:not(.nested_list_item)", has_text="module1")


def answer_brainstorm(page: Page, user_name: str, ideas: list[str]) -> None:
    # ?reset: a fresh workspace, so a lesson left open in an earlier session (a second notebook) is not restored
    page.goto(f"{page.url.split('/user/')[0]}/user/{user_name}/lab/tree/module1/module1.ipynb?reset",
              timeout=LOAD_TIMEOUT)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=LOAD_TIMEOUT)
    wait_for_idle_kernel(page)
    run_all(page)
    widget = page.locator(".course-brainstorm")
    expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
    entry = widget.locator(".widget-text input").first
    for count, idea in enumerate(ideas, start=1):
        entry.press_sequentially(idea, delay=0)
        entry.press("Enter")
        label = f"{count} answer{'s' if count > 1 else ''} saved"
        expect(widget.locator(".widget-label", has_text=label)).to_be_visible(timeout=RUN_TIMEOUT)
    save_notebook(page)


def grader_course(hub: CourseHub, *args: str):
    """A `course` command as the grader account in its course folder (formgrader's terminal)."""
    return hub.run_as(hub.grader_user, str(Path(hub.env["COURSE_PREFIX"]) / "bin" / "course"), *args,
                      cwd=hub.course_dir)


def ok(done) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_hub_says_whether_resource_limits_are_enforced(hub: CourseHub) -> None:
    """No systemd in this test machine: the hub must say at start that the per-user limits are advisory."""
    log = hub.log.read_text(encoding="utf-8", errors="replace")
    if Path("/run/systemd/system").is_dir():
        assert "enforced by SystemdSpawner" in log
    else:
        assert "limits per user are ADVISORY ONLY" in log


def test_a_class_releases_submits_grades_and_gets_feedback(hub: CourseHub, browser) -> None:
    trainees = [hub.users[name] for name in TRAINEE_NAMES]
    pages: dict[str, Page] = {}
    try:
        for user in trainees:  # start the servers together; each login below then finds its own running
            hub.api("POST", f"/users/{user.name}/server")
        pages = {user.name: log_in(browser, hub, user) for user in [*trainees, hub.users["ines"]]}

        # The instructor opens formgrader through the hub and releases module1.
        instructor = pages[hub.users["ines"].name]
        instructor.goto(f"{hub.url}/services/{GRADER_SERVICE}/formgrader", timeout=LOAD_TIMEOUT)
        expect(instructor.get_by_text("Manage Assignments").first).to_be_visible(timeout=LOAD_TIMEOUT)
        ok(grader_course(hub, "release", "module1"))

        for user in trainees:
            page = pages[user.name]
            wait_for_idle_kernel_or_lab(page)
            open_assignments(page)
            row = assignment_row(page, "released_assignments_list")
            expect(row).to_be_visible(timeout=RUN_TIMEOUT)
            row.locator("button", has_text="Fetch").click()
            expect(assignment_row(page, "fetched_assignments_list")).to_be_visible(timeout=RUN_TIMEOUT)
            answer_brainstorm(page, user.name, IDEAS[short(hub, user.name)])
            saved = json.loads((user.home / "module1" / "answers" / "m1-brainstorm.json").read_text(encoding="utf-8"))
            assert saved["answer"] == IDEAS[short(hub, user.name)]
            open_assignments(page)
            assignment_row(page, "fetched_assignments_list").locator("button", has_text="Submit").click()
            expect(assignment_row(page, "submitted_assignments_list")).to_be_visible(timeout=RUN_TIMEOUT)
        screenshot(pages[trainees[0].name], "hub-trainee-submitted")

        # Mid-session the hub restarts: servers, answers and submissions carry on.
        before = {user.name: hub.api("GET", f"/users/{user.name}")[1]["servers"][""]["url"] for user in trainees}
        hub.restart()
        for user in trainees:
            page = pages[user.name]
            page.goto(f"{hub.url}/user/{user.name}/lab/tree/module1/module1.ipynb", timeout=LOAD_TIMEOUT)
            expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=LOAD_TIMEOUT)
            assert hub.api("GET", f"/users/{user.name}")[1]["servers"][""]["url"] == before[user.name]
            saved = json.loads((user.home / "module1" / "answers" / "m1-brainstorm.json").read_text(encoding="utf-8"))
            assert saved["answer"] == IDEAS[short(hub, user.name)]

        # The instructor collects, grades (as root: each notebook confined) and releases feedback.
        out = ok(grader_course(hub, "collect", "module1"))
        for user in trainees:
            submitted = hub.course_dir / "submitted" / user.name / "module1"
            assert (submitted / "answers" / "m1-brainstorm.json").is_file(), out
        graded = ok(subprocess_run(hub, ["bash", str(REPO / "deploy" / "grade.sh"), "module1"]))
        ok(grader_course(hub, "release-feedback", "module1"))
        for user in trainees:
            assert (hub.course_dir / "feedback" / user.name / "module1" / "module1.html").is_file(), graded
        assert all(p.owner() == hub.grader_user for p in (hub.course_dir / "autograded").rglob("*")), \
            "grading as root must hand the results back to the grader account"

        # A trainee fetches the feedback from the Assignments tab and opens it.
        ana = trainees[0]
        page = pages[ana.name]
        page.goto(f"{hub.url}/user/{ana.name}/lab", timeout=LOAD_TIMEOUT)
        open_assignments(page)
        submitted_row = assignment_row(page, "submitted_assignments_list")
        submitted_row.locator("button", has_text="Fetch Feedback").click()
        expect(submitted_row.get_by_text("(view feedback)")).to_be_visible(timeout=RUN_TIMEOUT)
        (feedback,) = (ana.home / "module1" / "feedback").glob("*/module1.html")
        relative = feedback.relative_to(ana.home)
        page.goto(f"{hub.url}/user/{ana.name}/files/{relative}", timeout=LOAD_TIMEOUT)
        expect(page.locator("body")).to_contain_text("Customer Service means")
        expect(page.locator("body")).to_contain_text(IDEAS["ana"][0])
        screenshot(page, "hub-trainee-feedback")
    finally:
        for page in pages.values():
            page.context.close()


def wait_for_idle_kernel_or_lab(page: Page) -> None:
    """The trainee's JupyterLab is up (no notebook open yet: the menu bar is there)."""
    expect(page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$"))).to_be_visible(
        timeout=LOAD_TIMEOUT)


def short(hub: CourseHub, name: str) -> str:
    return next(key for key, user in hub.users.items() if user.name == name)


def subprocess_run(hub: CourseHub, command: list[str]):
    return subprocess.run(command, env=hub.env, capture_output=True, text=True, timeout=900)

