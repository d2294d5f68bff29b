"""The course's OpenID Connect provider (deploy/sso/idp.mjs) as a process for tests and benchmarks."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.hub.course_hub import REPO

__all__ = ["SSO_DIR", "Provider", "start_provider"]

SSO_DIR = REPO / "deploy" / "sso"
IDP_START_TIMEOUT = 60


@dataclass
class Provider:
    state: Path
    url: str
    process: subprocess.Popen
    log: Path
    started_in: float

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_provider(state: Path, port: int) -> Provider:
    """Start idp.mjs on ``state`` (made by deploy/sso/idp_admin.py) and wait for its discovery document."""
    if not (SSO_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--prefix", str(SSO_DIR), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=600)
    log = state.parent / "idp.log"
    began = time.monotonic()
    with open(log, "ab") as out:
        process = subprocess.Popen(["node", str(SSO_DIR / "idp.mjs"), str(state)], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + IDP_START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the identity provider did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return Provider(state, url, process, log, time.monotonic() - began)
