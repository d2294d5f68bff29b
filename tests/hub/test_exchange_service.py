"""The exchange service on a real course hub: identity from the hub token, even when trainees share a uid.

The hub runs with ``COURSE_EXCHANGE_SERVICE=1`` (course_lib/hub_exchange). Two trainees' real servers
are started; every trainee command below runs as ONE OS account (ana's) with the environment of the
trainee's own server (its hub token, COURSE_EXCHANGE_URL, the trainees' Jupyter config), so file
owners cannot tell them apart: only the hub token can. The instructor works as the grader account with
Formgrader's service token. End to end: release, list, fetch, submit, collect, autograde, feedback,
release feedback, fetch feedback; and every way a trainee could reach another's work is refused.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import pwd
import re
import stat
import subprocess
import tarfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_lib.hub_exchange.client import ExchangeClient, ServiceError
from deploy.course_server import COURSE_ID, EXCHANGE_SERVICE, GRADER_SERVICE, INSTRUCTORS, TRAINEES
from tests.hub.conftest import _require_hub
from tests.hub.course_hub import PREFIX, CourseHub, course_hub, process_environments

ROSTER = {TRAINEES: ["ana", "ben"], INSTRUCTORS: ["ines"]}
IDEAS = {"ana": ["Listen to the whole question first"], "ben": ["Greet every caller by name"]}
FORGED = ["ana pretending to be ben"]


def _process_environment(match) -> dict[str, str]:
    """The environment of the first process whose environment satisfies ``match`` (read as root)."""
    found = next((env for _, env in process_environments() if match(env)), None)
    if found is None:
        raise LookupError("no such process")
    return found


@pytest.fixture(scope="module")
def hub() -> Iterator[CourseHub]:
    _require_hub()
    with course_hub(ROSTER, environment={"COURSE_EXCHANGE_SERVICE": "1",
                                         "COURSE_EXCHANGE_STORE": "{base}/exchange-service"}) as running:
        yield running


@pytest.fixture(scope="module")
def servers(hub: CourseHub) -> dict[str, dict[str, str]]:
    """Each trainee's server environment (hub token, exchange URL, Jupyter config), from the real servers."""
    names = [hub.users[short].name for short in ("ana", "ben")]
    for name in names:
        hub.api("POST", f"/users/{name}/server")
    for name in names:
        hub.wait_for_server(name)
    found = {}
    for short, name in zip(("ana", "ben"), names, strict=True):
        env = _process_environment(lambda e, n=name: e.get("JUPYTERHUB_USER") == n and "JUPYTERHUB_API_TOKEN" in e)
        found[short] = {key: env[key] for key in ("JUPYTERHUB_API_TOKEN", "COURSE_EXCHANGE_URL", "JUPYTER_CONFIG_PATH",
                                                  "JUPYTERHUB_USER", "JUPYTERHUB_API_URL")}
    return found


@pytest.fixture(scope="module")
def formgrader(hub: CourseHub) -> dict[str, str]:
    """Formgrader's service environment: its hub token, as its terminal has it."""
    # This hub's Formgrader: another course hub (the session's, on the folder exchange) may be running too.
    api = f"http://127.0.0.1:{int(hub.env['COURSE_HUB_PORT']) + 2}/"
    env = _process_environment(lambda e: e.get("JUPYTERHUB_SERVICE_NAME") == GRADER_SERVICE
                               and e.get("JUPYTERHUB_API_URL", "").startswith(api))
    assert env.get("COURSE_EXCHANGE_URL"), "the hub must give Formgrader the exchange service's URL"
    return {"JUPYTERHUB_API_TOKEN": env["JUPYTERHUB_API_TOKEN"]}


@pytest.fixture(scope="module")
def released(hub: CourseHub, formgrader: dict[str, str]) -> str:
    """module1 released by the instructor from an ordinary shell (the course folder's settings pick the service)."""
    return grader(hub, formgrader, "release", "module1")


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def grader(hub: CourseHub, formgrader: dict[str, str], *args: str) -> str:
    """A `course` command as the grader account in an ordinary shell with only Formgrader's token added."""
    return ok(hub.run_as(hub.grader_user, str(PREFIX / "bin" / "course"), *args, cwd=hub.course_dir, env=formgrader))


def trainee(hub: CourseHub, servers: dict[str, dict[str, str]], short: str, *args: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` for trainee ``short`` with their server's environment, run as ANA's OS account."""
    shared = hub.users["ana"]
    folder = shared.home / f"work-{short}"  # both trainees' work under one uid and one home
    if not folder.exists():
        ok(hub.run_as(shared.name, "mkdir", "-p", str(folder)))
    return hub.run_as(shared.name, str(PREFIX / "bin" / "nbgrader"), *args, cwd=folder,
                      env={**servers[short], **(env or {})})


def save_answers(hub: CourseHub, short: str, ideas: list[str]) -> None:
    shared = hub.users["ana"]
    code = ("import sys; from course_lib.store import AnswerStore; "
            "AnswerStore(sys.argv[1]).save('m1-brainstorm', sys.argv[2:])")
    ok(hub.run_as(shared.name, str(PREFIX / "bin" / "python"), "-c", code,
                  str(shared.home / f"work-{short}" / "module1" / "answers"), *ideas))


def answers_in(folder: Path) -> list[str]:
    return json.loads((folder / "answers" / "m1-brainstorm.json").read_text(encoding="utf-8"))["answer"]


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_a_class_through_the_exchange_service_kept_apart_on_one_uid(
        hub: CourseHub, servers: dict[str, dict[str, str]], formgrader: dict[str, str], released: str) -> None:
    ana, ben = hub.users["ana"].name, hub.users["ben"].name
    url = servers["ana"]["COURSE_EXCHANGE_URL"]
    assert url == servers["ben"]["COURSE_EXCHANGE_URL"] and f"/services/{EXCHANGE_SERVICE}/" in url
    store = Path(hub.env["COURSE_EXCHANGE_STORE"])
    assert stat.S_IMODE(store.stat().st_mode) == 0o700 and store.owner() == hub.grader_user

    # The instructor released from an ordinary shell: the course folder's settings select the service.
    assert "Released as" in released, released
    assert not (hub.exchange / COURSE_ID).exists(), "the exchange folder must not be used"

    for short in ("ana", "ben"):
        listed = ok(trainee(hub, servers, short, "list"))
        assert "module1" in listed, listed
        ok(trainee(hub, servers, short, "fetch_assignment", "module1"))
        save_answers(hub, short, IDEAS[short])
        ok(trainee(hub, servers, short, "submit", "module1"))

    ana_client = ExchangeClient(url, servers["ana"]["JUPYTERHUB_API_TOKEN"])
    ben_client = ExchangeClient(url, servers["ben"]["JUPYTERHUB_API_TOKEN"])
    # Ana names Ben in a request of her own: filed under Ana all the same.
    answer = ana_client.json("POST", "submissions/module1", query={"student": ben},
                             body=_tar({"module1.ipynb": b"{}"}))
    assert answer["student_id"] == ana
    # Ana tries to submit as Ben: every variable and option nbgrader or a shell knows, on Ana's token.
    save_answers(hub, "ana", FORGED)
    forged = trainee(hub, servers, "ana", "submit", "module1", f"--CourseDirectory.student_id={ben}",
                     env={"JUPYTERHUB_USER": ben, "USER": ben, "LOGNAME": ben})
    assert "Submitted under your hub name" in ok(forged)

    mine = ana_client.json("GET", "submissions/module1")["submissions"]
    assert {s["student_id"] for s in mine} == {ana} and len(mine) == 3
    (ben_submission,) = ben_client.json("GET", "submissions/module1")["submissions"]
    assert ben_submission["student_id"] == ben

    # Naming Ben in the request changes nothing, or is refused.
    for method, path, query in [
        ("GET", "submissions/module1", {"student": ben}),
        ("GET", f"submissions/module1/{ben}/{ben_submission['stamp']}", None),
        ("GET", f"feedback/module1/{ben}/{ben_submission['stamp']}", None),
        ("PUT", f"feedback/module1/{ben}/{ben_submission['stamp']}", None),
        ("PUT", "releases/module1", {"force": "1"}),
        ("DELETE", "releases/module1", None),
    ]:
        with pytest.raises(ServiceError) as refused:
            ana_client.json(method, path, query=query, body=_tar({"x.html": b"x"}) if method == "PUT" else None)
        assert refused.value.status == 403, (method, path, refused.value)

    # The instructor collects: each trainee's own latest work, filed under the hub name.
    out = grader(hub, formgrader, "collect", "module1")
    submitted = hub.course_dir / "submitted"
    assert answers_in(submitted / ben / "module1") == IDEAS["ben"], out
    assert answers_in(submitted / ana / "module1") == FORGED, out
    timestamp = (submitted / ben / "module1" / "timestamp.txt").read_text(encoding="utf-8")
    assert timestamp == ben_submission["timestamp"]

    # Grade (as root, each notebook confined, as deploy/grade.sh does) and release the feedback.
    bin_path = f"{PREFIX / 'bin'}:{hub.env['PATH']}"
    for step in (["autograde", "module1"], ["generate_feedback", "module1"]):
        ok(subprocess.run([str(PREFIX / "bin" / "nbgrader"), *step], cwd=hub.course_dir, capture_output=True,
                          text=True, timeout=900, env={**hub.env, "PATH": bin_path}))
    ok(subprocess.run(["chown", "-R", "-h", "-P", f"{hub.grader_user}:", str(hub.course_dir)], capture_output=True,
                      text=True))
    grader(hub, formgrader, "release-feedback", "module1")

    for short, expected, other in (("ana", FORGED[0], IDEAS["ben"][0]), ("ben", IDEAS["ben"][0], FORGED[0])):
        out = ok(trainee(hub, servers, short, "fetch_feedback", "module1"))
        pages = list((hub.users["ana"].home / f"work-{short}" / "module1" / "feedback").glob("*/module1.html"))
        assert len(pages) == 1, out
        text = pages[0].read_text(encoding="utf-8")
        assert expected in text and other not in text
        assert "feedback already fetched" in ok(trainee(hub, servers, short, "list", "--cached"))

    # Feedback: Ben's is his alone.
    with pytest.raises(ServiceError) as refused:
        ana_client.download(f"feedback/module1/{ben}/{ben_submission['stamp']}")
    assert refused.value.status == 403
    assert ben_client.download(f"feedback/module1/{ben}/{ben_submission['stamp']}")


def _raw(url: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(method, parts.path + path)
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.endheaders()
        if body:
            connection.send(body)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    finally:
        connection.close()
    return response.status, json.loads(text) if text.startswith("{") else {"text": text}


def test_the_service_refuses_without_the_hub_and_checks_every_name(
        hub: CourseHub, servers: dict[str, dict[str, str]], released: str) -> None:
    url = servers["ana"]["COURSE_EXCHANGE_URL"]
    token = {"Authorization": f"token {servers['ana']['JUPYTERHUB_API_TOKEN']}"}
    ben = hub.users["ben"].name
    # No token, a made-up token, a user name in a header instead of a token.
    assert _raw(url, "GET", "api/releases", {})[0] == 401
    assert _raw(url, "GET", "api/releases", {"Authorization": "token not-a-real-token"})[0] == 403
    assert _raw(url, "GET", "api/releases", {"X-Forwarded-User": ben, "Remote-User": ben})[0] == 401
    # The instructor's own hub user token reaches it; a user token with no exchange scope does not.
    status, body = hub.api("POST", f"/users/{hub.users['ines'].name}/tokens", {"scopes": ["read:users:name!user"]})
    assert status == 201, body
    assert _raw(url, "GET", "api/releases", {"Authorization": f"token {body['token']}"})[0] == 403

    # Names and paths.
    for path in ("api/releases/..%2F..%2Fetc", "api/releases/.hidden", "api/submissions/module1/..%2Fben/x",
                 f"api/feedback/module1/{ben}/..%2F..%2Fsubmissions"):
        status, answer = _raw(url, "GET", path, token)
        assert status in (400, 403, 404) and "error" in answer, (path, status, answer)
    assert _raw(url, "GET", f"api/submissions/module1/{ben}/20250101T000000.000000Z", token)[0] == 403
    evil = [
        _tar({"../../escape.txt": b"x"}),
        _tar({"/etc/cron.d/evil": b"x"}),
        b"not a tar.gz",
    ]
    link = io.BytesIO()
    with tarfile.open(fileobj=link, mode="w:gz") as tar:
        info = tarfile.TarInfo("answers/m1-brainstorm.json")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/shadow"
        tar.addfile(info)
    evil.append(link.getvalue())
    for body in evil:
        status, answer = _raw(url, "POST", "api/submissions/module1", {**token, "Content-Length": str(len(body))},
                              body)
        assert status == 400 and answer["error"], answer
    assert not (Path(hub.env["COURSE_EXCHANGE_STORE"]).parent / "escape.txt").exists()
    # Too large: refused from the declared length, before any of it is read.
    status, answer = _raw(url, "POST", "api/submissions/module1", {**token, "Content-Length": str(10**9)})
    assert status == 413 and "too large" in answer["error"]
    # Nothing of these reached the store.
    store_tmp = Path(hub.env["COURSE_EXCHANGE_STORE"]) / "tmp"
    assert list(store_tmp.iterdir()) == []
    # The store is not readable by a trainee's OS account.
    done = hub.run_as(hub.users["ana"].name, "ls", hub.env["COURSE_EXCHANGE_STORE"])
    assert done.returncode != 0 and re.search("Permission denied", done.stderr)
    assert pwd.getpwnam(hub.users["ana"].name).pw_uid != os.stat(hub.env["COURSE_EXCHANGE_STORE"]).st_uid


def test_the_assignments_tab_fetches_and_submits_through_the_service(
        hub: CourseHub, servers: dict[str, dict[str, str]], released: str, browser) -> None:
    """What a trainee really uses: JupyterLab's Assignments tab, whose server calls go through the plug-in."""
    from playwright.sync_api import expect

    from tests.browser.lab_actions import RUN_TIMEOUT
    from tests.hub.conftest import log_in, screenshot
    from tests.hub.test_course_server import assignment_row, open_assignments

    ben = hub.users["ben"]
    kept = Path(hub.env["COURSE_EXCHANGE_STORE"]) / "submissions" / "module1" / ben.name
    before = len(list(kept.iterdir())) if kept.is_dir() else 0
    page = log_in(browser, hub, ben)
    try:
        open_assignments(page)
        row = assignment_row(page, "released_assignments_list")
        expect(row).to_be_visible(timeout=RUN_TIMEOUT)
        row.locator("button", has_text="Fetch").click()
        expect(assignment_row(page, "fetched_assignments_list")).to_be_visible(timeout=RUN_TIMEOUT)
        assert (ben.home / "module1" / "module1.ipynb").is_file()
        assignment_row(page, "fetched_assignments_list").locator("button", has_text="Submit").click()
        # ben submitted module1 earlier in this module, so a submitted row may already be there: wait for
        # the new submission to reach the service's store, then for the list to show a row.
        deadline = time.monotonic() + RUN_TIMEOUT / 1000
        while (len(list(kept.iterdir())) if kept.is_dir() else 0) == before and time.monotonic() < deadline:
            time.sleep(0.25)
        expect(assignment_row(page, "submitted_assignments_list")).to_be_visible(timeout=RUN_TIMEOUT)
        screenshot(page, "hub-exchange-service-submitted")
    finally:
        page.context.close()
    # The service filed it under the hub's name for ben's token, and nowhere else.
    assert len(list(kept.iterdir())) == before + 1
