"""Roles on the course server: what a trainee cannot see or read, and names the hub refuses.

Uses the session's hub (tests/hub/conftest.py); the roster checks need no hub.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy.course_server import BOARD_SERVICE, FACILITATORS, GRADER_SERVICE, TRAINEES
from deploy.roster import RosterError, load_roster
from deploy.server_layout import USERNAME_PATTERN
from deploy.server_setup import TRAINEE_DISABLED_LAB_EXTENSIONS
from tests.hub.conftest import log_in, screenshot
from tests.hub.course_hub import PREFIX, REPO, CourseHub, HubUser
from tests.servers import log_text

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.lab_actions import LOAD_TIMEOUT  # noqa: E402


# -- the roster, without a hub ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["ana smith", "Zoë", "../grader", "ana/..", ".hidden", "", "a" * 33, "-x", "root\n"])
def test_the_roster_refuses_a_name_that_is_not_a_safe_user_name(tmp_path: Path, bad: str) -> None:
    roster = tmp_path / "roster.yaml"
    import yaml

    roster.write_text(yaml.safe_dump({TRAINEES: ["ana", bad]}), encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        load_roster(roster)
    message = str(refused.value)
    assert str(roster) in message and f"{TRAINEES}[1]" in message and "not a valid user name" in message


def test_the_roster_names_an_unknown_group(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("trainees: [ana]\nadmins: [eve]\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"unknown group\(s\) admins"):
        load_roster(roster)


@given(st.text(max_size=40))
def test_a_name_the_hub_accepts_is_one_folder_inside_home(name: str) -> None:
    if not USERNAME_PATTERN.fullmatch(name):
        return
    home = Path("/home")
    assert (home / name).resolve().parent == home and len(name) <= 32 and name == name.strip().lower()


# -- on the running hub ------------------------------------------------------------------------------
def _trainee(hub: CourseHub, short: str = "ana"):
    return hub.users[short]


def test_a_trainee_has_no_instructor_tools_and_gets_403_for_formgrader_and_the_board(hub: CourseHub, browser) -> None:
    trainee = _trainee(hub)
    page = log_in(browser, hub, trainee)
    try:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
        menu = page.locator("#jp-mainmenu-nbgrader")
        expect(menu.locator(".lm-Menu-item", has_text="Assignment List")).to_be_visible(timeout=LOAD_TIMEOUT)
        for tool in ("Formgrader", "Course List", "Create assignment"):
            expect(menu.locator(".lm-Menu-item:visible", has_text=tool)).to_have_count(0)
        screenshot(page, "hub-trainee-menu")
        # The lessons were copied into ~/notebooks on the first start, as the trainee's own files.
        lessons = sorted((trainee.home / "notebooks").glob("0[1-8]_*.ipynb"))
        assert len(lessons) >= 8 and all(p.owner() == trainee.name for p in lessons)
        page.keyboard.press("Escape")
        # The page config the trainee's JupyterLab got says so too.
        disabled = page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions")
        assert set(TRAINEE_DISABLED_LAB_EXTENSIONS) <= set(disabled)
        # formgrader's server extension is off in the trainee's own server.
        own = page.goto(f"{hub.url}/user/{trainee.name}/formgrader", timeout=LOAD_TIMEOUT)
        assert own.status == 404
        services = [GRADER_SERVICE]
        status, listed = hub.api("GET", "/services")
        assert status == 200
        if BOARD_SERVICE in listed:
            services.append(BOARD_SERVICE)
        for service in services:
            response = page.goto(f"{hub.url}/services/{service}/", timeout=LOAD_TIMEOUT)
            assert response.status == 403, f"{service}: {response.status} {page.url}"
    finally:
        page.context.close()


def test_the_facilitator_reaches_the_board_when_it_is_installed(hub: CourseHub, browser) -> None:
    status, listed = hub.api("GET", "/services")
    if BOARD_SERVICE not in listed:
        pytest.skip("the live board is not in this install (course_lib.live.hub_board)")
    facilitator = hub.in_group(FACILITATORS)[0]
    page = log_in(browser, hub, facilitator)
    try:
        response = page.goto(f"{hub.url}/services/{BOARD_SERVICE}/", timeout=LOAD_TIMEOUT)
        # A 500 here came from an old board left running by a killed hub (CourseHub.stop ends such leftovers):
        # say what came back and what the hub and the board logged.
        assert response.status == 200, (f"{response.status} at {page.url}: {page.content()[:300]}\n"
                                         + "\n".join(log_text(hub.log).splitlines()[-60:]))
        expect(page.locator("#board")).to_be_attached(timeout=LOAD_TIMEOUT)
    finally:
        page.context.close()


def test_trainees_cannot_read_each_others_homes_answers_or_the_gradebook(hub: CourseHub) -> None:
    ana, ben = _trainee(hub, "ana"), _trainee(hub, "ben")
    assert ben.home.stat().st_mode & 0o777 == 0o700
    # Ben's saved brainstorm when the end-to-end test ran before, else a file of his made here.
    ben_answers = ben.home / "module1" / "answers" / "m1-brainstorm.json"
    if not ben_answers.exists():
        ben_answers = ben.home / "answers-probe.json"
        ben_answers.write_text('{"answer": ["private"]}', encoding="utf-8")
        os.chown(ben_answers, ben.home.stat().st_uid, ben.home.stat().st_gid)
    for command in (["ls", str(ben.home)], ["cat", str(ben_answers)], ["ls", str(hub.course_dir)],
                    ["ls", str(hub.exchange / "customer-service" / "inbound")]):
        done = hub.run_as(ana.name, *command)
        if command[-1].endswith("inbound") and not Path(command[-1]).exists():
            continue  # nothing released yet in this run: no inbound folder to probe
        assert done.returncode != 0 and "Permission denied" in done.stderr, (command, done.stdout)
    # ...while the system-wide course is readable by every trainee.
    done = hub.run_as(ana.name, str(PREFIX / "bin" / "python"), "-c", "import course_lib; print('ok')")
    assert done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("bad", ["../root", "ana smith", "Zoë", "a/b"])
def test_a_bad_name_at_login_is_refused_and_nothing_is_created(hub: CourseHub, browser, bad: str) -> None:
    before = sorted(p.name for p in (hub.base / "home").iterdir())
    page = log_in(browser, hub, HubUser(bad, "whatever", TRAINEES), expect_lab=False)
    try:
        expect(page.locator(".login_error")).to_contain_text(
            re.compile("Invalid username or password", re.I), timeout=LOAD_TIMEOUT)
        assert "/hub/login" in page.url
    finally:
        page.context.close()
    status, users = hub.api("GET", "/users")
    assert status == 200 and bad not in {user["name"] for user in users}
    assert sorted(p.name for p in (hub.base / "home").iterdir()) == before


def test_the_hub_does_not_start_with_a_bad_roster(hub: CourseHub, tmp_path: Path) -> None:
    roster = hub.base / "bad-roster.yaml"
    roster.write_text("trainees: [ana, 'Zoë Smith']\n", encoding="utf-8")
    done = subprocess.run(
        [str(PREFIX / "bin" / "jupyterhub"), "-f", str(REPO / "deploy" / "jupyterhub_config.py"), "--show-config"],
        env={**hub.env, "COURSE_HUB_ROSTER": str(roster)}, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert f"{roster}: trainees[1]: 'Zoë Smith' is not a valid user name" in done.stdout + done.stderr
