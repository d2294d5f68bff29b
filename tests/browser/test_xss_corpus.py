"""The XSS corpus (tests/security/xss_payloads.txt) through every trainee text field, in Chromium.

The widgets first: the corpus saved as a trainee's answers to Module 1, Module
5 and the action plan, shown again by the widgets and the self-check in a real
JupyterLab. Then one trainee, ``xss``, submits Module 1, Module 5 and the action plan with the
corpus everywhere a trainee types: brainstorm entries, the written reply, every
part of the action plan, every reflection; the trainee's first and last names
are payloads, and more trainees exist in the gradebook whose ids are payloads.
Real nbgrader grades it once (``xss_course``). Then each surface is loaded in
Chromium, all payloads in one page: the nbgrader feedback pages, Formgrader's
submission view, the cohort report and the action-plan export. Nothing may
run (no dialog, no flag, no message from a frame), no javascript:/data: link
may be left to click, and the page must stay visible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from course_lib.action_plan_export import write_exports  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.nbgrader.course import make_course, nbgrader, submit_synthetic  # noqa: E402
from tests.security.xss import PAYLOADS, as_markdown, chunks, js_urls, ran, watch  # noqa: E402

from .conftest import LabServer, start_lab  # noqa: E402
from .lab_actions import RUN_TIMEOUT, code_cell, run_all, wait_for_idle_kernel  # noqa: E402

pytestmark = pytest.mark.browser
ASSIGNMENTS = ["module1", "module5", "action-plan"]
TRAINEE = "xss"
# Gradebook ids and names are free text to nbgrader: payloads that fit in an id (no '/').
HOSTILE_IDS = [p for p in PAYLOADS if "/" not in p and len(p) < 100][:4]
LOAD_TIMEOUT = 90_000
PLAIN = "I listened to the customer."


def _plan(exercise) -> dict:
    """An action plan with the corpus spread over its parts, each within the widget's limits."""
    groups = chunks(exercise.max_chars // 2, 2)
    texts = [" ".join(g) for g in groups]
    behaviours = texts[: exercise.max_behaviours]
    rest = texts[exercise.max_behaviours:]
    parts = {"behaviours": behaviours}
    for n, field in enumerate(("first_step", "date", "helper", "notes")):
        parts[field] = rest[n] if n < len(rest) else PAYLOADS[n]
    return parts


def _corpus_answers(folder: Path) -> None:
    """Replace the synthetic answers of free-text exercises with the corpus (as the widgets could save it)."""
    store = AnswerStore(folder / "answers")
    for exercise_id, make in {
        "m1-brainstorm": lambda e: chunks(e.limits.max_chars, e.limits.max_items)[0],
        "m5-recovery-reply": lambda e: {"text": as_markdown()[: e.length.max_chars]},
        "m8-action-plan": _plan,
    }.items():
        if store.path(exercise_id).exists():
            store.save(exercise_id, make(load_exercise(exercise_id)))


@pytest.fixture(scope="module")
def xss_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nbgrader.api import Gradebook

    course = make_course(tmp_path_factory.mktemp("xss-course"))
    nbgrader(course, "generate_assignment", "*", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student(TRAINEE, first_name=PAYLOADS[1], last_name=PAYLOADS[2])
        for student in HOSTILE_IDS:
            gb.update_or_create_student(student, first_name=PAYLOADS[0])
    for assignment in ASSIGNMENTS:
        folder = submit_synthetic(course, TRAINEE, assignment, "good", as_markdown())
        _corpus_answers(folder)
    nbgrader(course, "autograde", "*")
    nbgrader(course, "generate_feedback", "*")
    # The same answers beside the released notebooks, for the widgets in JupyterLab.
    for assignment in ASSIGNMENTS:
        answers = course / "submitted" / TRAINEE / assignment / "answers"
        shutil.copytree(answers, course / "exercises" / assignment / "answers")
    return course


def _assert_inert(page: Page, dialogs: list[str], scope: str = "body", shown: str | None = None) -> None:
    signs = ran(page, dialogs)
    assert signs == [], f"{len(signs)} payload(s) ran: {signs[:10]}"
    links = js_urls(page, scope)
    assert links == [], f"javascript:/data: links left to click: {links[:5]}"
    if shown:
        expect(page.locator(shown).first).to_be_visible()  # a <style> payload did not hide the page


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_pages_run_no_payload(page: Page, xss_course: Path, assignment: str, request) -> None:
    request.node.screenshot_name = f"xss-feedback-{assignment}"
    dialogs = watch(page)
    page.goto((xss_course / "feedback" / TRAINEE / assignment / f"{assignment}.html").as_uri())
    expect(page.locator(".part.written .answer").first).to_contain_text("<script>")  # shown, as text
    _assert_inert(page, dialogs, shown=".part.written .answer")
    print(f"\nfeedback {assignment}: {len(PAYLOADS)} payloads, none ran")


def test_the_cohort_report_runs_no_payload(page: Page, xss_course: Path, tmp_path: Path, request) -> None:
    request.node.screenshot_name = "xss-cohort-report"
    target = tmp_path / "report.html"
    course_command = Path(sys.executable).with_name("course")
    done = subprocess.run([str(course_command), "report", "-o", str(target)], cwd=xss_course,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    dialogs = watch(page)
    page.goto(target.as_uri())
    trainees = page.locator("table.trainees")
    for shown in [PAYLOADS[1], *HOSTILE_IDS]:
        expect(trainees).to_contain_text(shown)  # names and ids read as the text they are
    _assert_inert(page, dialogs, shown="table.trainees")


def test_the_action_plan_export_runs_no_payload(page: Page, tmp_path: Path, request) -> None:
    request.node.screenshot_name = "xss-action-plan-export"
    exercise = load_exercise("m8-action-plan")
    # The export is written from the saved plan; give it every payload, past the widget's limits.
    plan = {"behaviours": PAYLOADS[:20], "first_step": " ".join(PAYLOADS[20:30]), "date": PAYLOADS[30],
            "helper": " ".join(PAYLOADS[31:36]), "notes": "\n\n".join(PAYLOADS[36:]) + "\n\n" + PLAIN}
    _md, html_file = write_exports(exercise, plan, tmp_path)
    dialogs = watch(page)
    page.goto(html_file.as_uri())
    expect(page.locator("body")).to_contain_text(PAYLOADS[0])
    expect(page.get_by_text(PLAIN)).to_be_visible()  # all of it there, and not hidden by a <style>
    _assert_inert(page, dialogs)


@pytest.fixture(scope="module")
def xss_lab(xss_course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab in a copy of the graded course: Formgrader, and the released notebooks with the corpus answers."""
    yield from start_lab(xss_course, tmp_path_factory.mktemp("xss-lab"))


def test_formgrader_runs_no_payload(page: Page, xss_lab: LabServer, request) -> None:
    from nbgrader.api import Gradebook

    request.node.screenshot_name = "xss-formgrader"
    lab = xss_lab
    dialogs = watch(page)
    page.goto(f"{lab.url}/lab?token={lab.token}", wait_until="commit", timeout=LOAD_TIMEOUT)
    with Gradebook(f"sqlite:///{lab.root / 'gradebook.db'}") as gb:
        ids = {a: gb.find_submission_notebook(a, a, TRAINEE).id for a in ASSIGNMENTS}
    for assignment, submission_id in ids.items():
        response = page.goto(f"{lab.url}/formgrader/submissions/{submission_id}/?token={lab.token}",
                             timeout=LOAD_TIMEOUT)
        assert response is not None and response.status == 200, lab.log_text()
        expect(page.locator("main #notebook-container")).to_be_visible(timeout=LOAD_TIMEOUT)
        _assert_inert(page, dialogs, "#notebook-container", shown="main #notebook-container")
        print(f"\nformgrader {assignment}: {len(PAYLOADS)} payloads, none ran")
    # The instructor's list of trainees shows the hostile names and ids as text.
    page.goto(f"{lab.url}/formgrader/manage_students?token={lab.token}", timeout=LOAD_TIMEOUT)
    expect(page.locator("body")).to_contain_text(HOSTILE_IDS[0], timeout=LOAD_TIMEOUT)
    _assert_inert(page, dialogs)


def test_text_after_an_unclosed_table_in_a_reflection_is_still_shown(page: Page, xss_course: Path) -> None:
    page.goto((xss_course / "feedback" / TRAINEE / "module1" / "module1.html").as_uri())
    expect(page.locator(".part.written .answer").first).to_contain_text(PLAIN, timeout=2_000)


@pytest.mark.parametrize("assignment, check", [("module1", "m1-brainstorm"), ("module5", "m5-recovery-reply"),
                                               ("action-plan", "m8-action-plan")])
def test_widgets_in_jupyterlab_run_no_payload(page: Page, xss_lab: LabServer, assignment: str, check: str,
                                              request) -> None:
    request.node.screenshot_name = f"xss-lab-{assignment}"
    dialogs = watch(page)
    # A fresh workspace per notebook, so tabs of the notebooks before do not come back.
    page.goto(f"{xss_lab.url}/lab/workspaces/xss-{assignment}/tree/exercises/{assignment}/{assignment}.ipynb"
              f"?reset&token={xss_lab.token}", timeout=LOAD_TIMEOUT)
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    try:  # JupyterLab may ask which kernel to start: the notebook's own
        select.click(timeout=6_000)
    except PlaywrightTimeout:
        pass
    wait_for_idle_kernel(page)
    run_all(page)
    # The self-check lists the saved answers (as text), so every payload is on the page by now.
    output = code_cell(page, f'check("{check}")').locator(".jp-OutputArea")
    expect(output).to_contain_text("Score", timeout=RUN_TIMEOUT)
    expect(output).to_contain_text("<script>")
    expect(page.locator(".jupyter-widgets").first).to_be_visible()
    _assert_inert(page, dialogs, ".jp-NotebookPanel")
    print(f"\nJupyterLab {assignment}: corpus answers shown by the widget and check(), none ran")
