"""Single sign-on on the course server, run for real: OpenID Connect against a real provider on loopback.

The provider is deploy/sso/idp.mjs (the OpenID-certified ``oidc-provider`` library), set up with
deploy/sso/idp_admin.py as an admin would; the hub runs deploy/jupyterhub_config.py with
COURSE_HUB_AUTHENTICATOR=oidc (deploy/sso/oidc.py). People log in in Chromium through the provider's
own login page. One provider and one hub for the module; OS users the hub makes at first login are
removed afterwards, and the provider is stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.course_server import BOARD_SERVICE, FACILITATORS, GRADER_SERVICE, INSTRUCTORS, TRAINEES
from deploy.sso import idp_admin
from deploy.sso.oidc import course_groups
from tests.conftest import ARTIFACTS_DIR, _local_only
from tests.hub.conftest import LOGIN_TIMEOUT, _require_hub, screenshot
from tests.hub.course_hub import CourseHub, _port_block, course_hub
from tests.hub.sso_provider import Provider, start_provider

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.lab_actions import LOAD_TIMEOUT  # noqa: E402

CONTACT = "the training team (training@example.org)"


# -- without a hub ------------------------------------------------------------------------------------
def test_only_the_course_groups_are_taken_from_the_provider() -> None:
    assert course_groups(["trainees", "sales", "/instructors", "/org/facilitators"]) == {
        TRAINEES, INSTRUCTORS, FACILITATORS}
    assert course_groups(None) == set() and course_groups("trainees") == {TRAINEES}
    assert course_groups(["Trainees-old", "admins"]) == set()


def test_the_admin_script_refuses_unsafe_names_and_unknown_groups(tmp_path: Path) -> None:
    state = tmp_path / "idp"
    idp_admin.init_state(state, issuer="http://127.0.0.1:9", redirect_uris=["http://127.0.0.1:8/hub/oauth_callback"])
    assert state.stat().st_mode & 0o777 == 0o700 and (state / "idp.json").stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="not a valid course user name"):
        idp_admin.set_user(state, "Ana Smith", password="x", groups=[TRAINEES])
    with pytest.raises(ValueError, match="unknown group"):
        idp_admin.set_user(state, "ana", password="x", groups=["admins"])
    idp_admin.set_user(state, "ana", password="secret", groups=[TRAINEES])
    stored = (state / "directory.json").read_text(encoding="utf-8")
    assert "secret" not in stored and "scrypt$" in stored
    secret = idp_admin.hub_environment(state)["COURSE_OIDC_CLIENT_SECRET"]
    idp_admin.init_state(state, issuer="http://127.0.0.1:9", redirect_uris=["http://127.0.0.1:8/hub/oauth_callback"])
    assert idp_admin.hub_environment(state)["COURSE_OIDC_CLIENT_SECRET"] == secret  # kept on a second init


def test_the_keycloak_realm_has_the_hubs_client_the_groups_claim_and_the_course_groups(tmp_path: Path) -> None:
    # Keycloak itself is not run here (its distribution is on Maven Central, which these machines cannot
    # reach): this checks the realm file's shape against what deploy/sso/oidc.py expects.
    from deploy.sso import keycloak_realm

    out = tmp_path / "realm.json"
    assert keycloak_realm.main(["write", str(out), "--redirect-uri", "https://c.example.org/hub/oauth_callback",
                                "--user", "ana=trainees", "--user", "ines=instructors,facilitators"]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    realm = json.loads(out.read_text(encoding="utf-8"))
    client = realm["clients"][0]
    assert client["publicClient"] is False and client["secret"] and client["standardFlowEnabled"] is True
    assert client["redirectUris"] == ["https://c.example.org/hub/oauth_callback"]
    mapper = client["protocolMappers"][0]
    assert mapper["protocolMapper"] == "oidc-group-membership-mapper"
    assert mapper["config"]["claim.name"] == "groups" and mapper["config"]["full.path"] == "false"
    assert mapper["config"]["userinfo.token.claim"] == "true"
    assert {g["name"] for g in realm["groups"]} == {TRAINEES, INSTRUCTORS, FACILITATORS}
    users = {u["username"]: u for u in realm["users"]}
    assert course_groups(users["ines"]["groups"]) == {INSTRUCTORS, FACILITATORS}
    assert users["ana"]["credentials"][0]["temporary"] is True
    with pytest.raises(ValueError):
        keycloak_realm.build_realm("course", ["https://x/hub/oauth_callback"], users={"Ana Smith": [TRAINEES]})


# -- the provider and the hub ---------------------------------------------------------------------------
@dataclass
class SsoCourse:
    hub: CourseHub
    idp: Provider
    tag: str
    passwords: dict[str, str]

    def name(self, short: str) -> str:
        return f"{self.tag}-{short}"


@pytest.fixture(scope="module")
def sso() -> Iterator[SsoCourse]:
    """A provider with a trainee, an instructor, a facilitator, a second instructor and one in no group."""
    _require_hub()
    base = Path(tempfile.mkdtemp(prefix="course-idp-", dir="/tmp"))
    provider: Provider | None = None
    try:
        with course_hub({}, start=False) as hub:
            tag = hub.grader_user.removesuffix("-grader")
            idp_port = _port_block(1)
            state = base / "state"
            idp_admin.init_state(state, issuer=f"http://127.0.0.1:{idp_port}",
                                 redirect_uris=[f"{hub.url}/hub/oauth_callback"], display_name="Example Corp sign-in")
            people = {"ana": [TRAINEES], "ines": [INSTRUCTORS], "fay": [FACILITATORS], "ivo": [INSTRUCTORS],
                      "noel": []}
            passwords = {}
            for short, groups in people.items():
                passwords[short] = secrets.token_urlsafe(12)
                idp_admin.set_user(state, f"{tag}-{short}", password=passwords[short], groups=groups)
                hub.created_os_users.add(f"{tag}-{short}")  # made by the hub at first login; removed after
            provider = start_provider(state, idp_port)
            print(f"identity provider ready in {provider.started_in:.2f}s")
            hub.env.update({**idp_admin.hub_environment(state), "COURSE_OIDC_CONTACT": CONTACT})
            hub.start()
            yield SsoCourse(hub, provider, tag, passwords)
    finally:
        if provider is not None:
            provider.stop()
            if provider.log.exists():
                ARTIFACTS_DIR.mkdir(exist_ok=True)
                shutil.copyfile(provider.log, ARTIFACTS_DIR / "sso-idp.log")
        shutil.rmtree(base, ignore_errors=True)


def sso_log_in(browser, sso: SsoCourse, short: str, *, expect_lab: bool = True):
    """A new browser context: the hub's login button, the provider's own page, back to the hub."""
    name = sso.name(short)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.route("**/*", _local_only)
    page.goto(f"{sso.hub.url}/hub/login")
    page.get_by_role("button", name=re.compile("Sign in with your company account")).or_(
        page.get_by_role("link", name=re.compile("Sign in with your company account"))).first.click()
    page.wait_for_url(re.compile(rf"^{re.escape(sso.idp.url)}/interaction/"))
    expect(page.locator("#realm-name")).to_have_text("Example Corp sign-in")
    page.fill("#username", name)
    page.fill("#password", sso.passwords[short])
    page.click("#kc-login")
    if expect_lab:
        page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=LOGIN_TIMEOUT)
    return page


def _hub_groups(sso: SsoCourse, short: str) -> list[str]:
    status, user = sso.hub.api("GET", f"/users/{sso.name(short)}")
    assert status == 200, user
    return sorted(user["groups"])


def _service_status(page, sso: SsoCourse, service: str) -> int:
    return page.goto(f"{sso.hub.url}/services/{service}/", timeout=LOAD_TIMEOUT).status


def _board_installed(sso: SsoCourse) -> bool:
    status, listed = sso.hub.api("GET", "/services")
    assert status == 200
    return BOARD_SERVICE in listed


def test_a_wrong_password_stays_on_the_providers_page(sso: SsoCourse, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", _local_only)
    try:
        page.goto(f"{sso.hub.url}/hub/login")
        page.get_by_role("link", name=re.compile("Sign in with")).or_(
            page.get_by_role("button", name=re.compile("Sign in with"))).first.click()
        page.wait_for_url(re.compile(rf"^{re.escape(sso.idp.url)}/interaction/"))
        page.fill("#username", sso.name("ana"))
        page.fill("#password", "not-the-password")
        page.click("#kc-login")
        expect(page.locator("#login-error")).to_contain_text("Invalid user name or password")
        assert page.url.startswith(sso.idp.url)
    finally:
        context.close()


def test_a_trainee_signs_in_gets_an_os_account_and_only_the_trainee_role(sso: SsoCourse, browser) -> None:
    page = sso_log_in(browser, sso, "ana")
    try:
        screenshot(page, "sso-trainee-lab")
        assert _hub_groups(sso, "ana") == [TRAINEES]
        import pwd

        account = pwd.getpwnam(sso.name("ana"))  # made at first login, home 0700, lessons copied in
        home = Path(account.pw_dir)
        assert home.stat().st_mode & 0o777 == 0o700 and home.owner() == sso.name("ana")
        assert sorted((home / "notebooks").glob("0[1-8]_*.ipynb"))
        services = [GRADER_SERVICE, *([BOARD_SERVICE] if _board_installed(sso) else [])]
        for service in services:
            assert _service_status(page, sso, service) == 403, service
        # a trainee's token cannot list the hub's users either
        assert page.goto(f"{sso.hub.url}/hub/admin", timeout=LOAD_TIMEOUT).status == 403
    finally:
        page.context.close()


def test_an_instructor_reaches_formgrader(sso: SsoCourse, browser) -> None:
    page = sso_log_in(browser, sso, "ines")
    try:
        assert _hub_groups(sso, "ines") == [INSTRUCTORS]
        page.goto(f"{sso.hub.url}/services/{GRADER_SERVICE}/formgrader", timeout=LOAD_TIMEOUT)
        expect(page.get_by_text("Manage Assignments").first).to_be_visible(timeout=LOAD_TIMEOUT)
        screenshot(page, "sso-instructor-formgrader")
    finally:
        page.context.close()


def test_a_facilitator_reaches_the_live_board_and_not_formgrader(sso: SsoCourse, browser) -> None:
    page = sso_log_in(browser, sso, "fay")
    try:
        assert _hub_groups(sso, "fay") == [FACILITATORS]
        if os.environ.get("CI") == "true" or _board_installed(sso):
            assert _service_status(page, sso, BOARD_SERVICE) == 200
        assert _service_status(page, sso, GRADER_SERVICE) == 403
    finally:
        page.context.close()


def test_someone_in_no_course_group_is_refused_with_a_clear_page(sso: SsoCourse, browser) -> None:
    page = sso_log_in(browser, sso, "noel", expect_lab=False)
    try:
        page.wait_for_url(re.compile(r"/hub/oauth_callback"), timeout=LOGIN_TIMEOUT)
        body = page.locator("body")
        expect(body).to_contain_text("403")
        expect(body).to_contain_text(f"{sso.name('noel')} is not enrolled in this course")
        expect(body).to_contain_text(CONTACT)
        screenshot(page, "sso-not-enrolled")
    finally:
        page.context.close()
    status, _ = sso.hub.api("GET", f"/users/{sso.name('noel')}")
    assert status == 404  # no hub user...
    assert subprocess.run(["id", sso.name("noel")], capture_output=True).returncode != 0  # ...and no OS account


def test_an_instructor_taken_out_of_instructors_at_the_provider_loses_formgrader_at_next_login(
        sso: SsoCourse, browser) -> None:
    page = sso_log_in(browser, sso, "ivo")
    try:
        assert _service_status(page, sso, GRADER_SERVICE) == 200
    finally:
        page.context.close()
    # The admin moves ivo to the trainees at the provider (what an IT department does in its directory).
    idp_admin.set_groups(sso.idp.state, sso.name("ivo"), [TRAINEES])
    page = sso_log_in(browser, sso, "ivo")
    try:
        assert _hub_groups(sso, "ivo") == [TRAINEES]
        assert _service_status(page, sso, GRADER_SERVICE) == 403
    finally:
        page.context.close()
    # ...and out of every course group: refused at the next login.
    idp_admin.set_groups(sso.idp.state, sso.name("ivo"), [])
    page = sso_log_in(browser, sso, "ivo", expect_lab=False)
    try:
        page.wait_for_url(re.compile(r"/hub/oauth_callback"), timeout=LOGIN_TIMEOUT)
        expect(page.locator("body")).to_contain_text("is not enrolled in this course")
    finally:
        page.context.close()
