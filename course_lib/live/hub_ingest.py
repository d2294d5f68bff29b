"""The live-answers service: trainees' kernels publish lesson answers here, identified by the hub.

    POST <prefix>api/answers   Authorization: token <the trainee server's JUPYTERHUB_API_TOKEN>
    {"exercise": "<exercise-id>", "type": "<exercise type>", "answer": <the saved answer>}

The hub tells whose token it is (``HubAuth.user_for_token``, through the
``HubAuthenticated`` mixin); the token must carry
``access:services!service=<this service>`` (see
:func:`course_lib.live.hub_service.hub_services`). The entry is written as
``<class_dir>/<exercise-id>/<sanitized hub user name>.json``: any trainee or
name field in the body is ignored, so a trainee can only ever replace their
own entry. The answer is checked with the exercise's own parser (unknown
activity: 404; wrong type or a malformed answer: 400). There is no way to read
entries here: only the board service reads the class folder.

Run by the hub as ``python -m course_lib.live.hub_ingest``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyterhub.services.auth import HubAuthenticated
from tornado import web

from ..grading import parser_for
from .aggregate import load_activity
from .classdir import ClassDirError, ensure_folder, open_folder, write_json
from .config import sanitize_trainee_id
from .hub_app import PRIVATE_FILE_MODE, PRIVATE_MODE, class_dir, prepare_private_folder, serve, service_prefix
from .publish import ENTRY_FORMAT

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "AnswersHandler", "json_too_deep", "make_app", "write_entry"]

MAX_BODY_BYTES = 256_000  # the board skips bigger entries anyway
MAX_JSON_DEPTH = 64  # arrays/objects inside one another; no exercise answer comes near
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
_EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
log = logging.getLogger("course_lib.live.hub")


def write_entry(folder: Path, exercise_id: str, exercise_type: str, user_name: str, answer: Any) -> dict[str, Any]:
    """Write ``user_name``'s entry for ``exercise_id`` atomically (private folder and file); return the record."""
    trainee = sanitize_trainee_id(user_name)
    record = {
        "format": ENTRY_FORMAT,
        "exercise": exercise_id,
        "type": exercise_type,
        "trainee": trainee,
        "name": user_name,  # the hub's name for the token's owner, never one the trainee sent
        "saved_at": datetime.now(timezone.utc).isoformat(),
        "answer": answer,
    }
    with open_folder(folder.resolve()) as class_fd:
        ensure_folder(class_fd, exercise_id, PRIVATE_MODE)
        with open_folder(exercise_id, dir_fd=class_fd) as folder_fd:
            write_json(folder_fd, f"{trainee}.json", record, mode=PRIVATE_FILE_MODE)
    return record


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays/objects deeper than ``limit`` (a scan, no recursion; strings skipped)."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


@web.stream_request_body
class AnswersHandler(HubAuthenticated, web.RequestHandler):
    """``POST api/answers``: file the answer under the token owner's hub name.

    The body is streamed in: a declared ``Content-Length`` over :data:`MAX_BODY_BYTES`
    gets 413 before any of it is read, and a chunked body is kept only up to the
    limit (413 once it passes it). Whatever the server's own ``max_body_size``.
    """

    def initialize(self, folder: Path) -> None:
        self.folder = folder
        self._chunks: list[bytes] = []
        self._received = 0

    def prepare(self) -> None:
        declared = self.request.headers.get("Content-Length")
        if declared is not None:
            try:
                too_large = int(declared) > MAX_BODY_BYTES
            except ValueError:
                raise self._fail(400, "bad Content-Length") from None
            if too_large:
                raise self._fail(413, f"body too large: limit {MAX_BODY_BYTES} bytes")

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received <= MAX_BODY_BYTES:
            self._chunks.append(chunk)
        else:
            self._chunks = []  # drop it: never buffered, never parsed

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Short JSON errors for the kernel to show as a note; never a traceback page.
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else self._reason
        self.finish({"error": message})

    def _fail(self, status: int, message: str) -> web.HTTPError:
        return web.HTTPError(status, message)

    @web.authenticated
    def post(self) -> None:
        user = self.current_user
        if user.get("kind", "user") != "user":
            raise self._fail(403, "only hub users publish answers")
        if self._received > MAX_BODY_BYTES:
            raise self._fail(413, f"body too large: limit {MAX_BODY_BYTES} bytes")
        raw = b"".join(self._chunks)
        if json_too_deep(raw):
            raise self._fail(400, f"answer JSON nested too deeply: limit {MAX_JSON_DEPTH} levels")
        try:
            body = json.loads(raw or b"null")
        except RecursionError:
            raise self._fail(400, "answer JSON nested too deeply") from None
        except ValueError:
            raise self._fail(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise self._fail(400, "the body must be a JSON object")
        exercise_id = body.get("exercise")
        if not isinstance(exercise_id, str) or not _EXERCISE_ID.match(exercise_id):
            raise self._fail(400, "field 'exercise': not an exercise id")
        exercise = load_activity(exercise_id)
        if exercise is None:
            raise self._fail(404, f"field 'exercise': no activity {exercise_id!r} in this course")
        if body.get("type") != exercise.type:
            raise self._fail(400, f"field 'type': {exercise_id} is a {exercise.type} activity")
        try:
            parser_for(exercise)(body.get("answer"))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise self._fail(400, f"field 'answer': {exc}") from None
        try:
            record = write_entry(self.folder, exercise_id, exercise.type, user["name"], body.get("answer"))
        except (OSError, ClassDirError) as exc:
            log.error("could not file %s's answer to %s: %s", user["name"], exercise_id, exc)
            raise self._fail(503, "the class folder cannot be written; tell the facilitator") from None
        self.set_status(201)
        self.finish({"trainee": record["trainee"], "exercise": exercise_id, "saved_at": record["saved_at"]})


def make_app(folder: Path | None = None) -> web.Application:
    """The Tornado application (the class folder is made private to this user first)."""
    folder = Path(folder or class_dir())
    for warning in prepare_private_folder(folder):
        log.warning(warning)
    prefix = service_prefix()
    return web.Application(
        [(rf"{re.escape(prefix)}api/answers/?", AnswersHandler, {"folder": folder})],
        max_body_size=MAX_BODY_BYTES,
        cookie_secret=os.urandom(32),
    )


def main() -> None:
    serve(make_app(), "live-answers")


if __name__ == "__main__":
    main()
