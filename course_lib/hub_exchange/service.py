"""The exchange as a hub-managed Tornado service: every request is identified by the hub.

Every request carries a hub API token in ``Authorization: token <token>`` (a
trainee's server's ``JUPYTERHUB_API_TOKEN``, Formgrader's service token, or an
instructor's own token). The service asks the hub whose token it is
(:class:`jupyterhub.services.auth.HubAuth`) and what it may do, from the
token's scopes: ``access:services!service=<this service>`` to reach it at all,
:data:`SUBMIT_SCOPE` (trainees) to fetch releases, submit and fetch their own
feedback, :data:`MANAGE_SCOPE` (instructors, Formgrader) to release, list and
collect every submission and release feedback. A trainee's name is the hub's
name for the token's owner; a name in the URL, a query, a header or the body
never makes a request someone else's (it is refused with 403).

HTTP API, under the service prefix (bodies and downloads are tar.gz)::

    GET    api/whoami                                  name, kind, may_submit, may_manage
    GET    api/releases                                released assignments and their notebooks
    GET    api/releases/<assignment>                   the release (download)
    PUT    api/releases/<assignment>[?force=1]         release (manage)
    DELETE api/releases/<assignment>                   take a release back (manage)
    GET    api/submissions[/<assignment>][?student=]   own submissions; every one with manage
    POST   api/submissions/<assignment>                submit (submit scope; filed under the token's user)
    GET    api/submissions/<assignment>/<student>/<stamp>   one submission (manage)
    PUT    api/feedback/<assignment>/<student>/<stamp>       release feedback (manage)
    GET    api/feedback/<assignment>/<student>/<stamp>       feedback: one's own, or any with manage

Errors are JSON ``{"error": "..."}``: 400 bad name or upload, 403 not allowed,
404 missing, 409 already released, 413 too large. Run by the hub as
``python -m course_lib.hub_exchange.service``; the store is ``COURSE_EXCHANGE_STORE``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jupyterhub.services.auth import HubAuth
from tornado import web

from ..live.hub_app import serve, service_prefix
from .archive import ArchiveError, Limits, TooLarge
from .names import BadName, check_assignment_id, check_student_id
from .store import ExchangeStore, NotFound

__all__ = [
    "DEFAULT_STORE",
    "MANAGE_SCOPE",
    "MAX_UPLOAD_BYTES",
    "SUBMIT_SCOPE",
    "Identity",
    "identity_from_model",
    "make_app",
]

SUBMIT_SCOPE = "custom:course-exchange:submit"
MANAGE_SCOPE = "custom:course-exchange:manage"
DEFAULT_STORE = "/srv/course/exchange-service"
MAX_UPLOAD_BYTES = 20_000_000  # one compressed upload (COURSE_EXCHANGE_MAX_UPLOAD)
log = logging.getLogger("course_lib.hub_exchange")
T = TypeVar("T")


@dataclass(frozen=True)
class Identity:
    """Who a token belongs to, as the hub said, and what it may do here."""

    name: str
    kind: str  # "user" or "service"
    may_submit: bool
    may_manage: bool


def identity_from_model(model: dict[str, Any], service_name: str) -> Identity | None:
    """The identity in the hub's model of a token; None when it may not reach this service at all."""
    from jupyterhub.services.auth import check_scopes

    scopes = set(model.get("scopes") or [])
    if not check_scopes({f"access:services!service={service_name}"}, scopes):
        return None
    kind = model.get("kind") or "user"
    return Identity(name=str(model["name"]), kind=kind,
                    may_submit=kind == "user" and SUBMIT_SCOPE in scopes, may_manage=MANAGE_SCOPE in scopes)


@web.stream_request_body
class ExchangeHandler(web.RequestHandler):
    """What every endpoint shares: the hub's identity, a streamed body with a limit, JSON errors."""

    identity: Identity

    def initialize(self, store: ExchangeStore, hub_auth: HubAuth, service_name: str, max_upload: int) -> None:
        self.store, self.hub_auth, self.service_name, self.max_upload = store, hub_auth, service_name, max_upload
        self._chunks: list[bytes] = []
        self._received = 0

    def check_xsrf_cookie(self) -> None:
        """No cookies are read (tokens only), so there is no cross-site request to forge."""

    async def prepare(self) -> None:
        declared = self.request.headers.get("Content-Length")
        if declared is not None:
            if not declared.isdigit():
                raise web.HTTPError(400, "bad Content-Length")
            if int(declared) > self.max_upload:
                raise web.HTTPError(413, f"upload too large: limit {self.max_upload} bytes")
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            raise web.HTTPError(401, "no hub API token (Authorization: token <JUPYTERHUB_API_TOKEN>)")
        try:
            model = await self.hub_auth.user_for_token(token.strip(), sync=False)
        except web.HTTPError:
            raise web.HTTPError(503, "the hub could not be asked who this token belongs to") from None
        if not model:
            raise web.HTTPError(403, "the hub does not know this token")
        identity = identity_from_model(model, self.service_name)
        if identity is None:
            raise web.HTTPError(403, f"this token may not use the {self.service_name} service")
        self.identity = identity

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received <= self.max_upload:
            self._chunks.append(chunk)
        else:
            self._chunks = []  # never kept, never unpacked

    def body(self) -> bytes:
        if self._received > self.max_upload:
            raise web.HTTPError(413, f"upload too large: limit {self.max_upload} bytes")
        if not self._received:
            raise web.HTTPError(400, "empty upload: send the folder as tar.gz")
        return b"".join(self._chunks)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else self._reason
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish({"error": message})

    def need(self, *, submit: bool = False, manage: bool = False) -> Identity:
        if manage and not self.identity.may_manage:
            raise web.HTTPError(403, "only instructors and Formgrader may do this")
        if submit and not self.identity.may_submit:
            raise web.HTTPError(403, "only trainees (hub users in the trainees group) may do this")
        return self.identity

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function`` in a worker thread (file work), its refusals turned into HTTP errors."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))
        except TooLarge as exc:
            raise web.HTTPError(413, str(exc)) from None
        except (BadName, ArchiveError) as exc:
            raise web.HTTPError(400, str(exc)) from None
        except NotFound as exc:
            raise web.HTTPError(404, str(exc)) from None
        except FileExistsError as exc:
            raise web.HTTPError(409, str(exc)) from None

    def send_archive(self, data: bytes, name: str) -> None:
        self.set_header("Content-Type", "application/gzip")
        self.set_header("Content-Disposition", f'attachment; filename="{name}.tar.gz"')
        self.finish(data)

    def checked(self, check: Callable[[str], str], value: str) -> str:
        try:
            return check(value)
        except BadName as exc:
            raise web.HTTPError(400, str(exc)) from None

    def own_or_managed(self, student_id: str) -> str:
        """``student_id`` when it is the caller's own name or the caller manages; else 403."""
        self.checked(check_student_id, student_id)
        if not self.identity.may_manage and not (self.identity.may_submit and student_id == self.identity.name):
            raise web.HTTPError(403, "a trainee may only see their own submissions and feedback")
        return student_id


class WhoAmIHandler(ExchangeHandler):
    def get(self) -> None:
        i = self.identity
        self.finish({"name": i.name, "kind": i.kind, "may_submit": i.may_submit, "may_manage": i.may_manage})


class ReleasesHandler(ExchangeHandler):
    async def get(self) -> None:
        if not (self.identity.may_submit or self.identity.may_manage):
            raise web.HTTPError(403, "this token may neither fetch nor release assignments")
        self.finish({"assignments": await self.run(self.store.releases)})


class ReleaseHandler(ExchangeHandler):
    async def get(self, assignment_id: str) -> None:
        if not (self.identity.may_submit or self.identity.may_manage):
            raise web.HTTPError(403, "this token may not fetch assignments")
        self.send_archive(await self.run(self.store.release_archive, assignment_id), assignment_id)

    async def put(self, assignment_id: str) -> None:
        self.need(manage=True)
        force = self.get_query_argument("force", "0") in ("1", "true", "yes")
        await self.run(self.store.release, assignment_id, self.body(), force=force)
        log.info("%s released %s", self.identity.name, assignment_id)
        self.set_status(201)
        self.finish({"assignment_id": assignment_id})

    async def delete(self, assignment_id: str) -> None:
        self.need(manage=True)
        await self.run(self.store.unrelease, assignment_id)
        self.finish({"assignment_id": assignment_id, "removed": True})


class SubmissionsHandler(ExchangeHandler):
    async def get(self, assignment_id: str | None = None) -> None:
        asked = self.get_query_argument("student", None)
        if self.identity.may_manage:
            student = self.checked(check_student_id, asked) if asked else None
        elif self.identity.may_submit:
            student = self.own_or_managed(asked) if asked else self.identity.name
        else:
            raise web.HTTPError(403, "this token may not list submissions")
        found = await self.run(self.store.submissions, assignment_id, student)
        self.finish({"submissions": [s.as_json() for s in found]})

    async def post(self, assignment_id: str | None = None) -> None:
        identity = self.need(submit=True)
        if assignment_id is None:
            raise web.HTTPError(400, "name the assignment: POST api/submissions/<assignment>")
        self.checked(check_assignment_id, assignment_id)
        stamp, missing = await self.run(self.store.submit, assignment_id, identity.name, self.body())
        log.info("%s submitted %s at %s", identity.name, assignment_id, stamp)
        self.set_status(201)
        self.finish({"assignment_id": assignment_id, "student_id": identity.name, "stamp": stamp,
                     "missing_notebooks": missing})


class SubmissionHandler(ExchangeHandler):
    async def get(self, assignment_id: str, student_id: str, stamp: str) -> None:
        self.need(manage=True)
        data = await self.run(self.store.submission_archive, assignment_id, student_id, stamp)
        self.send_archive(data, f"{assignment_id}-{student_id}")


class FeedbackHandler(ExchangeHandler):
    async def get(self, assignment_id: str, student_id: str, stamp: str) -> None:
        self.own_or_managed(student_id)
        data = await self.run(self.store.feedback_archive, assignment_id, student_id, stamp)
        self.send_archive(data, f"{assignment_id}-feedback")

    async def put(self, assignment_id: str, student_id: str, stamp: str) -> None:
        self.need(manage=True)
        await self.run(self.store.put_feedback, assignment_id, student_id, stamp, self.body())
        self.set_status(201)
        self.finish({"assignment_id": assignment_id, "student_id": student_id, "stamp": stamp})


class NotFoundHandler(ExchangeHandler):
    def prepare(self) -> None:  # type: ignore[override]  # no token needed to learn a path is wrong
        raise web.HTTPError(404, "no such endpoint of the exchange service")


def make_app(store: ExchangeStore, *, hub_auth: HubAuth | None = None, service_name: str | None = None,
             prefix: str | None = None, max_upload: int = MAX_UPLOAD_BYTES) -> web.Application:
    """The Tornado application for ``store`` (hub settings from the hub's environment by default)."""
    prefix = prefix or service_prefix()
    name = service_name or os.environ.get("JUPYTERHUB_SERVICE_NAME", "course-exchange")
    auth = hub_auth or HubAuth(cache_max_age=60)
    args = {"store": store, "hub_auth": auth, "service_name": name, "max_upload": max_upload}
    p = re.escape(prefix) + "api/"
    part = "([^/]+)"
    return web.Application([
        (p + "whoami/?", WhoAmIHandler, args),
        (p + "releases/?", ReleasesHandler, args),
        (p + f"releases/{part}/?", ReleaseHandler, args),
        (p + "submissions/?", SubmissionsHandler, args),
        (p + f"submissions/{part}/?", SubmissionsHandler, args),
        (p + f"submissions/{part}/{part}/{part}/?", SubmissionHandler, args),
        (p + f"feedback/{part}/{part}/{part}/?", FeedbackHandler, args),
        (r".*", NotFoundHandler, args),
    ])


def main() -> None:
    os.umask(0o077)
    limits = Limits(max_files=int(os.environ.get("COURSE_EXCHANGE_MAX_FILES", "2000")),
                    max_bytes=int(os.environ.get("COURSE_EXCHANGE_MAX_BYTES", "100000000")))
    store = ExchangeStore(Path(os.environ.get("COURSE_EXCHANGE_STORE", DEFAULT_STORE)), limits)
    serve(make_app(store, max_upload=int(os.environ.get("COURSE_EXCHANGE_MAX_UPLOAD", str(MAX_UPLOAD_BYTES)))),
          "course-exchange")


if __name__ == "__main__":
    main()
