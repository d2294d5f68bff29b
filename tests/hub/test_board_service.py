"""The live board and live-answers services on a real JupyterHub: identity from the hub, board behind hub OAuth.

Trainees publish through the real client (a lesson widget's save, in hub mode:
``COURSE_LIVE_URL`` and the trainee's own hub token, as the hub sets them for a
trainee's server); the facilitator opens the board in Chromium through the
hub's login and OAuth.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from course_lib import show
from course_lib.live.config import sanitize_trainee_id
from course_lib.live.hub_publish import publish_to_hub
from course_lib.live.publish import PublishError
from deploy import course_server as names
from tests.conftest import _local_only
from tests.hub import board_hub as hub_fixture
from tests.hub.board_hub import FACILITATOR, INSTRUCTOR, TRAINEES, BoardHub, answers_http, http_status

board_hub = hub_fixture.board_hub  # the module-scoped hub (a fixture)

ACTIVITY = "m1-brainstorm"
SCRIPT = "<script>alert('from a trainee')</script> listen to every caller"
ANSWERS = {
    "ann": ["Listen to the whole question before answering", SCRIPT],
    "ben": ["Call back the customer at the time I promised"],
    "cat": ["Thank every caller by name before closing the call"],
}


@pytest.fixture
def as_trainee(board_hub: BoardHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Switch this process to a trainee's server environment (hub mode) and return a lesson folder."""

    def switch(user: str) -> Path:
        monkeypatch.setenv("COURSE_LIVE_URL", board_hub.live_url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", board_hub.token_for(user))
        monkeypatch.setenv("COURSE_CLASS_DIR", str(tmp_path / "local-class"))  # must stay unused in hub mode
        for name in ("COURSE_TRAINEE_ID", "COURSE_TRAINEE_NAME", "COURSE_PUBLISH", "JPY_SESSION_NAME"):
            monkeypatch.delenv(name, raising=False)
        return tmp_path / sanitize_trainee_id(user) / "notebooks" / "answers"

    return switch


def entry(hub: BoardHub, user: str) -> dict:
    return json.loads((hub.class_dir / ACTIVITY / f"{user}.json").read_text(encoding="utf-8"))


def post(hub: BoardHub, body: bytes, token: str | None) -> int | None:
    """A raw POST to the live-answers service; its HTTP status (None if nothing answered)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"token {token}"} if token else {})}
    request = urllib.request.Request(f"{hub.live_url}api/answers", data=body, method="POST", headers=headers)
    return http_status(request, timeout=30)


def publish_all(hub: BoardHub, as_trainee) -> None:
    for user, items in ANSWERS.items():
        widget = show(ACTIVITY, as_trainee(user))
        for text in items:
            widget.entry.value = text
        assert "not shared" not in widget.message.value and "not reachable" not in widget.message.value, (
            f"{user}: {widget.message.value}\n{hub.log_text()}"
        )
    assert not (Path(os.environ["COURSE_CLASS_DIR"])).exists(), "hub mode must not write a local class folder"


def wait_until(condition, what: str, hub: BoardHub, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:g}s for {what}\n{hub.log_text()}"
        time.sleep(0.25)


def login(page, hub: BoardHub, user: str):
    """Open the board as ``user``: the hub's login form, then hub OAuth back to the board. The last response."""
    page.goto(hub.board_url)
    page.wait_for_url(re.compile(r"/hub/login"))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", hub.password)
    with page.expect_navigation() as navigation:
        page.click("input[type=submit], button[type=submit]")
    response = navigation.value
    page.wait_for_load_state()
    return response


@pytest.mark.browser
def test_the_facilitator_sees_the_three_trainees_answers_live(board_hub: BoardHub, as_trainee, page, request) -> None:
    request.node.screenshot_name = "hub-live-board"
    publish_all(board_hub, as_trainee)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, board_hub, FACILITATOR)
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.get_by_role("heading", name="Live board")).to_be_visible()
    assert page.url.startswith(board_hub.board_url) and "token" not in page.url  # no token in any URL
    board = page.locator("#board")
    expect(board.locator(".course-board-headline")).to_have_text("3 trainees took part")
    cards = board.locator(".course-board-card")
    for items in ANSWERS.values():
        for text in items:
            expect(cards.filter(has_text=text)).to_have_count(1)
    expect(cards.filter(has_text="<script>")).to_have_text(SCRIPT)  # shown as text; nothing ran
    expect(board.locator(".course-board-flipchart script")).to_have_count(0)
    assert "Listening" in (board.locator("img.course-board-chart").get_attribute("alt") or "")

    # Live: a trainee's next save reaches the open board without a reload.
    widget = show(ACTIVITY, as_trainee("ben"))
    widget.entry.value = "Offer a callback when the queue is long"
    expect(cards.filter(has_text="Offer a callback when the queue is long")).to_be_visible(timeout=30_000)

    # Names come from the hub, never from the trainee's settings.
    page.get_by_label("Show names").check()
    for user in TRAINEES:
        expect(board.locator(".course-board-names", has_text=user).first).to_be_visible()

    # The facilitator can hide an entry (a POST with the hub's xsrf token) and show it again.
    board.get_by_label("Entry").select_option(label=ANSWERS["cat"][0])
    board.get_by_role("button", name="Hide entry").click()
    expect(cards.filter(has_text=ANSWERS["cat"][0])).to_have_count(0)
    board.get_by_label("Hidden").select_option(label=ANSWERS["cat"][0])
    board.get_by_role("button", name="Show again").click()
    expect(cards.filter(has_text=ANSWERS["cat"][0])).to_have_count(1)
    assert dialogs == []


@pytest.mark.browser
def test_instructors_open_the_board_and_a_trainee_gets_403(board_hub: BoardHub, browser) -> None:
    for user, allowed in ((INSTRUCTOR, True), ("ann", False)):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.route("**/*", _local_only)  # loopback only, as every browser test
            response = login(page, board_hub, user)
            if allowed:
                assert response is not None and response.status == 200, board_hub.log_text()
                expect = pytest.importorskip("playwright.sync_api").expect
                expect(page.get_by_role("heading", name="Live board")).to_be_visible()
            else:
                assert response is not None and response.status == 403, (response and response.status, page.url)
                assert page.locator("#board").count() == 0
        finally:
            context.close()


def test_a_trainee_cannot_publish_as_someone_else(board_hub: BoardHub, as_trainee, monkeypatch) -> None:
    show(ACTIVITY, as_trainee("ben")).entry.value = "Ben's own answer, to be left alone"
    bens_file = board_hub.class_dir / ACTIVITY / "ben.json"
    before = bens_file.read_bytes()

    # Another trainee's id and name in the body change nothing: the entry is filed under the token's owner.
    body = {"exercise": ACTIVITY, "type": "brainstorm", "answer": ["Ann pretending to be Ben"],
            "trainee": "ben", "name": "Ben", "user": "ben"}
    assert post(board_hub, json.dumps(body).encode(), board_hub.token_for("ann")) == 201
    assert bens_file.read_bytes() == before
    anns = entry(board_hub, "ann")
    assert (anns["trainee"], anns["name"], anns["answer"]) == ("ann", "ann", ["Ann pretending to be Ben"])

    # Ann's server claiming to be Ben in the client's settings changes nothing either.
    as_trainee("ann")
    monkeypatch.setenv("COURSE_TRAINEE_ID", "ben")
    monkeypatch.setenv("COURSE_TRAINEE_NAME", "Ben")
    reply = publish_to_hub(ACTIVITY, "brainstorm", ["still Ann"], url=board_hub.live_url)
    assert reply["trainee"] == "ann" and bens_file.read_bytes() == before

    # No token, a made-up token, or a token without the publishing scope (the facilitator's): refused.
    assert post(board_hub, json.dumps(body).encode(), None) == 403
    assert post(board_hub, json.dumps(body).encode(), "not-a-real-token") == 403
    assert post(board_hub, json.dumps(body).encode(), board_hub.token_for(FACILITATOR, scopes=[])) == 403
    assert bens_file.read_bytes() == before
    # What a server without the publishing scope tells its trainee: one sentence, no status code or traceback.
    with pytest.raises(PublishError, match=r"^the hub did not let this server publish to the live board"):
        publish_to_hub(ACTIVITY, "brainstorm", ["x"], url=board_hub.live_url, token="not-a-real-token")


def test_malformed_answers_are_refused_with_the_field_named(board_hub: BoardHub, as_trainee) -> None:
    as_trainee("cat")
    url = board_hub.live_url
    with pytest.raises(PublishError, match="field 'exercise': no activity 'no-such-activity'"):
        publish_to_hub("no-such-activity", "brainstorm", ["x"], url=url)
    with pytest.raises(PublishError, match="field 'type': m1-brainstorm is a brainstorm activity"):
        publish_to_hub(ACTIVITY, "choice", {"q1": ["a"]}, url=url)
    with pytest.raises(PublishError, match="field 'answer'"):
        publish_to_hub(ACTIVITY, "brainstorm", {"not": "a list"}, url=url)
    assert post(board_hub, b"{not json", board_hub.token_for("cat")) == 400
    assert post(board_hub, b"x" * 300_000, board_hub.token_for("cat")) in (400, 413)


def test_no_trainee_can_read_the_class_folder(board_hub: BoardHub, as_trainee) -> None:
    show(ACTIVITY, as_trainee("ann")).entry.value = "Private until the facilitator shows it"
    folder, entry_file = board_hub.class_dir, board_hub.class_dir / ACTIVITY / "ann.json"
    for path, mode in ((folder, 0o700), (folder / ACTIVITY, 0o700), (entry_file, 0o600)):
        info = path.stat()
        assert (stat.S_IMODE(info.st_mode), info.st_uid) == (mode, os.geteuid()), path
    # Over HTTP there is nothing to read: the ingest only accepts POSTs, the board refuses a trainee's token.
    token = board_hub.token_for("ann", scopes=[])
    for url in (f"{board_hub.live_url}api/answers", f"{board_hub.board_url}fragment?activity={ACTIVITY}",
                board_hub.board_url):
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        refused.value.close()
        assert refused.value.code in (403, 405), url
    # The facilitator's token does read the board (the same request, another user).
    request = urllib.request.Request(f"{board_hub.board_url}fragment?activity={ACTIVITY}",
                                     headers={"Authorization": f"token {board_hub.token_for(FACILITATOR, [])}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert "Private until the facilitator shows it" in response.read().decode()
    if os.geteuid() == 0:  # another OS user (as each trainee is on the server) cannot list or open it
        for command in (["ls", str(folder)], ["cat", str(entry_file)]):
            result = subprocess.run(command, user="nobody", capture_output=True, text=True, check=False)
            assert result.returncode != 0 and "Permission denied" in result.stderr, command


def test_an_unusual_hub_name_gets_a_safe_file_and_is_shown_as_text(board_hub: BoardHub, as_trainee) -> None:
    name = "zoë <i>o'neil ..x"  # unicode, spaces, markup and dots (a '/' the hub refuses in a name)
    status, _ = board_hub.api("POST", f"users/{quote(name, safe='')}")
    assert status == 201, board_hub.log_text()
    status, _ = board_hub.api("POST", f"groups/{names.TRAINEES}/users", {"users": [name]})
    assert status == 200
    show(ACTIVITY, as_trainee(name)).entry.value = "Repeat the customer's words back to them"
    files = [p for p in (board_hub.class_dir / ACTIVITY).iterdir() if p.name.startswith("zo")]
    assert [p.name for p in files] == [f"{sanitize_trainee_id(name)}.json"]
    assert json.loads(files[0].read_text(encoding="utf-8"))["name"] == name
    token = board_hub.token_for(FACILITATOR, scopes=[])
    request = urllib.request.Request(f"{board_hub.board_url}fragment?activity={ACTIVITY}&names=1",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    assert "zoë &lt;i&gt;o&#x27;neil ..x" in page and "<i>" not in page


def test_board_service_down_keeps_the_answer_and_says_so(board_hub: BoardHub, as_trainee) -> None:
    answers = as_trainee("cat")
    pid = board_hub.service_pid("course_lib.live.hub_ingest")
    live = board_hub.live_url + "api/answers"
    os.kill(pid, signal.SIGKILL)  # the live-answers service dies (the hub restarts it at its next poll, <= 30 s)
    wait_until(lambda: not answers_http(live), "the killed service to stop answering", board_hub)
    widget = show(ACTIVITY, answers)
    widget.entry.value = "Written while the board was down"
    saved = json.loads((answers / f"{ACTIVITY}.json").read_text(encoding="utf-8"))
    assert "Written while the board was down" in saved["answer"]
    assert "Traceback" not in widget.message.value
    assert widget.message.value.startswith("Added answer 1. (Saved here, but not shared with the class board: "
                                           "the live board service is not reachable right now")
    assert widget.status.value.startswith("1 answer saved")
    # Once the hub has restarted the service, the next save is shared again, the earlier entry with it.
    wait_until(lambda: answers_http(live), "the hub to restart the live-answers service", board_hub)
    widget.entry.value = "Written once it was back"
    assert "not shared" not in widget.message.value, widget.message.value
    assert entry(board_hub, "cat")["answer"] == ["Written while the board was down", "Written once it was back"]


def test_the_services_use_the_course_servers_names(board_hub: BoardHub) -> None:
    status, services = board_hub.api("GET", "services")
    assert status == 200
    assert {names.BOARD_SERVICE, names.LIVE_SERVICE} <= set(services)
    assert services[names.BOARD_SERVICE]["prefix"] == f"/services/{names.BOARD_SERVICE}/"
    status, groups = board_hub.api("GET", "groups")
    assert status == 200
    assert {g["name"] for g in groups} >= {names.TRAINEES, names.INSTRUCTORS, names.FACILITATORS}
