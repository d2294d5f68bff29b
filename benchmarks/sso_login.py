"""Login to JupyterLab through single sign-on: how long a trainee waits, first time and again.

    sudo .venv/bin/python -m benchmarks.sso_login              # 5 trainees
    sudo .venv/bin/python -m benchmarks.sso_login --trainees 8

Runs the real course server (tests/hub/course_hub.py) with COURSE_HUB_AUTHENTICATOR=oidc against the
course's OpenID Connect provider (deploy/sso/idp.mjs, set up with deploy/sso/idp_admin.py) on
127.0.0.1, and in Debian's Chromium, for each trainee one after another:

1. first login: from opening the hub's login page, through the provider's login page (user name and
   password typed), to JupyterLab shown; this includes making the OS account, copying the lessons and
   the server's first start;
2. login again in a new browser (server already running): the single sign-on round trip and
   JupyterLab's load;
3. of that, the sign-on alone: from submitting the provider's form to the hub's redirect to the server.

Prints the provider's start time and the median (and range) of each. Everything it creates is removed.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from deploy.course_server import TRAINEES  # noqa: E402
from deploy.sso import idp_admin  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, _local_only  # noqa: E402
from tests.hub.course_hub import _port_block, course_hub, hub_unavailable  # noqa: E402
from tests.hub.sso_provider import start_provider  # noqa: E402

__all__ = ["main"]


def log_in(browser, hub_url: str, idp_url: str, name: str, password: str) -> tuple[float, float]:
    """(seconds to JupyterLab shown, seconds of the sign-on from the provider's form to the hub)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(240_000)
    page = context.new_page()
    page.route("**/*", _local_only)
    try:
        began = time.perf_counter()
        page.goto(f"{hub_url}/hub/login")
        page.get_by_role("link", name=re.compile("Sign in with")).or_(
            page.get_by_role("button", name=re.compile("Sign in with"))).first.click()
        page.wait_for_url(re.compile(rf"^{re.escape(idp_url)}/interaction/"))
        page.fill("#username", name)
        page.fill("#password", password)
        submitted = time.perf_counter()
        page.click("#kc-login")
        page.wait_for_url(re.compile(rf"^{re.escape(hub_url)}/(hub/spawn|hub/spawn-pending|user)/"),
                          wait_until="commit")
        signed_on = time.perf_counter() - submitted
        page.wait_for_url(re.compile(rf"/user/{name}/lab"))
        page.locator("#jp-main-dock-panel").wait_for(state="visible")
        page.locator(".jp-Launcher, .jp-NotebookPanel").first.wait_for(state="visible")
        return time.perf_counter() - began, signed_on
    finally:
        context.close()


def _summary(label: str, values: list[float]) -> str:
    return (f"{label:<46} median {statistics.median(values):6.2f} s   "
            f"min {min(values):6.2f}   max {max(values):6.2f}   (n={len(values)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=5)
    args = parser.parse_args(argv)
    reason = hub_unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="course-idp-", dir="/tmp"))
    provider = None
    try:
        with course_hub({}, start=False) as hub:
            tag = hub.grader_user.removesuffix("-grader")
            port = _port_block(1)
            state = base / "state"
            idp_admin.init_state(state, issuer=f"http://127.0.0.1:{port}",
                                 redirect_uris=[f"{hub.url}/hub/oauth_callback"])
            people = {f"{tag}-t{i}": secrets.token_urlsafe(12) for i in range(args.trainees)}
            for name, password in people.items():
                idp_admin.set_user(state, name, password=password, groups=[TRAINEES])
                hub.created_os_users.add(name)
            provider = start_provider(state, port)
            hub.env.update(idp_admin.hub_environment(state))
            began = time.perf_counter()
            hub.start()
            hub_start = time.perf_counter() - began
            first, again, sign_on = [], [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                            headless=True, args=CHROMIUM_ARGS)
                try:
                    for name, password in people.items():
                        first.append(log_in(browser, hub.url, provider.url, name, password)[0])
                    for name, password in people.items():
                        total, signed_on = log_in(browser, hub.url, provider.url, name, password)
                        again.append(total)
                        sign_on.append(signed_on)
                finally:
                    browser.close()
    finally:
        if provider is not None:
            provider.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"Single sign-on login, {platform.node()}: {os.cpu_count()} cores, {args.trainees} trainees, "
          "provider deploy/sso/idp.mjs (oidc-provider), hub with GenericOAuthenticator, Chromium headless")
    print(f"{'identity provider start (to discovery document)':<46} {provider.started_in:6.2f} s")
    print(f"{'hub start (reads the discovery document)':<46} {hub_start:6.2f} s")
    print(_summary("first login to JupyterLab (account + spawn)", first))
    print(_summary("login again to JupyterLab (server running)", again))
    print(_summary("  of which sign-on (provider form -> hub)", sign_on))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
