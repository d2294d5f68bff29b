"""Publishing a lesson answer to the hub's live-answers service (hub mode), from the trainee's kernel.

Hub mode is on when ``COURSE_LIVE_URL`` is set: the hub sets it for every
trainee's server (spawner environment, see
:func:`course_lib.live.hub_service.hub_services`), and kernels inherit it.
The answer is POSTed with the server's own hub API token
(``JUPYTERHUB_API_TOKEN``); the service asks the hub whose token it is, so the
trainee's identity never comes from anything the trainee can set (setting
``COURSE_LIVE_URL`` elsewhere only sends one's own token elsewhere).

Any failure (service down, hub refusing the token, a malformed answer) is a
:class:`~course_lib.live.publish.PublishError` with one short sentence: the
answer is already saved beside the notebook, and the widget shows the note.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from .publish import PublishError

__all__ = ["LIVE_URL_VAR", "TIMEOUT_SECONDS", "hub_live_url", "publish_to_hub"]

LIVE_URL_VAR = "COURSE_LIVE_URL"
TIMEOUT_SECONDS = 3.0  # a save must not hang in front of the trainee when the service is slow or gone
NOT_REACHABLE = "the live board service is not reachable right now; your next save will try again"


def hub_live_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The live-answers service's URL (ending in ``/``) when hub mode is on, else None."""
    url = (os.environ if environ is None else environ).get(LIVE_URL_VAR, "").strip()
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(exc.read(2000) or b"{}").get("error")
    except (ValueError, AttributeError, OSError):
        message = None
    if exc.code == 403:
        return "the hub did not let this server publish to the live board (ask the facilitator)"
    if exc.code in (502, 503, 504) and not message:
        return NOT_REACHABLE
    return str(message or exc.reason or f"HTTP {exc.code}")[:200]


def publish_to_hub(
    exercise_id: str,
    exercise_type: str,
    answer: Any,
    *,
    url: str,
    token: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """POST the answer to ``<url>api/answers`` with the hub token; the service's reply (who it was filed as)."""
    token = token if token is not None else os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not token:
        raise PublishError("this server has no hub token (JUPYTERHUB_API_TOKEN), so it cannot publish")
    body = json.dumps({"exercise": exercise_id, "type": exercise_type, "answer": answer}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}api/answers", data=body, method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read(10_000) or b"{}")
    except urllib.error.HTTPError as exc:
        with exc:  # closes the reply's connection
            message = _error_message(exc)
        raise PublishError(message) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError):  # refused, reset, timed out
        raise PublishError(NOT_REACHABLE) from None
    except ValueError:
        raise PublishError("the live board service gave an unreadable reply") from None
