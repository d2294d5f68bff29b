"""nbgrader's exchange API over the exchange service: the same commands, identity from the hub token.

Selected in an nbgrader config (see :func:`course_lib.hub_exchange.hub.use_exchange_service`)::

    c.ExchangeFactory.exchange = "course_lib.hub_exchange.plugin.HubExchange"
    c.ExchangeFactory.fetch_assignment = "course_lib.hub_exchange.plugin.HubFetchAssignment"
    ...                                  # submit, list, collect, release_assignment, release/fetch_feedback
    c.HubExchange.service_url = "http://127.0.0.1:8006/services/course-exchange/"

Every request carries ``JUPYTERHUB_API_TOKEN`` (a trainee's server, Formgrader,
or an instructor who set it to a token from the hub's token page). The student
id nbgrader would use (``CourseDirectory.student_id``, ``JUPYTERHUB_USER``,
``USER``) is never sent: the service files a submission under the hub's name
for the token's owner, and lists and returns only that trainee's own work.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import timezone
from pathlib import Path
from typing import Any, TypeVar

from nbgrader.exchange.abc import (
    Exchange,
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import ignore_patterns
from traitlets import Bool, Float, Unicode, default

from .archive import ArchiveError, pack, unpack
from .client import ExchangeClient, ServiceError
from .names import BadName, new_stamp, stamp_from_timestamp

__all__ = [
    "SERVICE_URL_ENV",
    "HubCollect",
    "HubExchange",
    "HubFetchAssignment",
    "HubFetchFeedback",
    "HubList",
    "HubReleaseAssignment",
    "HubReleaseFeedback",
    "HubSubmit",
]

SERVICE_URL_ENV = "COURSE_EXCHANGE_URL"  # set by the hub in trainees' servers and Formgrader's
T = TypeVar("T")


class HubExchange(Exchange):
    """What every operation shares: the service's address, the hub token, packing by nbgrader's ignore rules."""

    service_url = Unicode(
        help="URL of the course's exchange service, with its prefix "
             "(e.g. http://127.0.0.1:8006/services/course-exchange/). "
             f"Default: the {SERVICE_URL_ENV} environment variable, which the hub sets in every server it starts.",
    ).tag(config=True)
    request_timeout = Float(120.0, help="Seconds to wait for the exchange service to answer one request.").tag(
        config=True)
    path_includes_course = Bool(
        False, help="Whether assignments are fetched into a folder named after the course "
                    "(course_id/assignment_id) rather than straight into the assignment's own folder.",
    ).tag(config=True)

    @default("service_url")
    def _service_url_default(self) -> str:
        return os.environ.get(SERVICE_URL_ENV, "")

    def client(self) -> ExchangeClient:
        if not self.service_url:
            self.fail(f"no exchange service configured: set c.HubExchange.service_url or {SERVICE_URL_ENV}")
        token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not token:
            self.fail("no hub API token: run this in your server on the course hub (or Formgrader's terminal), "
                      "or set JUPYTERHUB_API_TOKEN to a token from the hub's Token page")
        return ExchangeClient(self.service_url, token, timeout=self.request_timeout)

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args)`` with the service's refusals reported as nbgrader failures."""
        try:
            return function(*args, **kwargs)
        except ServiceError as exc:
            self.fail(str(exc))
            raise  # pragma: no cover - fail() raises

    def local_dir(self, assignment_id: str) -> Path:
        """Where the trainee's copy of ``assignment_id`` is (``assignment_dir``, with the course if configured)."""
        parts = [self.coursedir.course_id, assignment_id] if self.path_includes_course else [assignment_id]
        return Path(self.assignment_dir).joinpath(*parts).absolute()

    def pack_folder(self, folder: Path) -> bytes:
        """``folder`` as tar.gz, leaving out what nbgrader's CourseDirectory.ignore/include/max_file_size say."""
        skipped: list[str] = []
        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        data = pack(folder, ignore, skipped=skipped)
        for name in skipped:
            self.log.warning("Left out %s: links and special files are not sent", name)
        return data

    def unpack_into(self, data: bytes, target: Path) -> None:
        """``data`` unpacked into the new folder ``target`` (through a temporary sibling: all or nothing)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        holder = Path(tempfile.mkdtemp(prefix=".exchange-", dir=target.parent))
        try:
            unpack(data, holder / "content", file_mode=0o644, dir_mode=0o755)
            os.rename(holder / "content", target)
        except ArchiveError as exc:
            self.fail(f"the exchange service sent an archive that was refused: {exc}")
        finally:
            shutil.rmtree(holder, ignore_errors=True)

    def init_src(self) -> None:
        pass

    def init_dest(self) -> None:
        pass

    def copy_files(self) -> None:
        pass


class HubFetchAssignment(HubExchange, ExchangeFetchAssignment):
    """``nbgrader fetch_assignment``: download the release into ``./<assignment>``."""

    def copy_files(self) -> None:
        assignment_id = self.coursedir.assignment_id
        dest = self.local_dir(assignment_id)
        data = self.call(self.client().download, f"releases/{assignment_id}")
        if dest.exists():
            if not self.replace_missing_files:
                self.fail(f"You already have a copy of {assignment_id} at {dest}: move it away to fetch it "
                          "again, or use --replace to get back only the files missing from it")
            with tempfile.TemporaryDirectory(dir=dest.parent) as scratch:
                fresh = Path(scratch) / "release"
                self.unpack_into(data, fresh)
                for source in sorted(fresh.rglob("*")):
                    target = dest / source.relative_to(fresh)
                    if source.is_dir():
                        target.mkdir(exist_ok=True)
                    elif not target.exists():
                        shutil.copyfile(source, target)
                        self.log.info("Replaced missing file: %s", target)
            return
        self.unpack_into(data, dest)
        self.log.info("Fetched as: %s %s into %s", self.coursedir.course_id, assignment_id, dest)


class HubReleaseAssignment(HubExchange, ExchangeReleaseAssignment):
    """``nbgrader release_assignment``: upload the course's release folder of the assignment."""

    def copy_files(self) -> None:
        assignment_id = self.coursedir.assignment_id
        source = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment_id))
        if not source.is_dir():
            self.fail(f"Assignment not found: {source} (run nbgrader generate_assignment first)")
        query = {"force": "1"} if self.force else None
        try:
            self.client().json("PUT", f"releases/{assignment_id}", query=query, body=self.pack_folder(source))
        except ServiceError as exc:
            if exc.status == 409:
                self.fail(f"Destination already exists: {assignment_id} is released. Use --force to overwrite")
            self.fail(str(exc))
        self.log.info("Released as: %s %s", self.coursedir.course_id, assignment_id)


class HubSubmit(HubExchange, ExchangeSubmit):
    """``nbgrader submit``: upload ``./<assignment>``; the service files it under the token owner's hub name."""

    def copy_files(self) -> None:
        assignment_id = self.coursedir.assignment_id
        source = self.local_dir(assignment_id)
        if not source.is_dir():
            self.fail(f"Assignment not found: {source}")
        client = self.client()
        releases = self.call(client.json, "GET", "releases")["assignments"]
        released = {a["assignment_id"]: a["notebooks"] for a in releases}
        if assignment_id not in released:
            self.fail(f"Assignment {assignment_id!r} is not released, so it cannot be submitted")
        local = {p.stem for p in source.glob("*.ipynb")}
        missing = sorted(set(released[assignment_id]) - local)
        extra = sorted(local - set(released[assignment_id]))
        if missing and self.strict:
            self.fail(f"Assignment {assignment_id} not submitted. There are missing notebooks: {', '.join(missing)}")
        if missing or extra:
            self.log.warning("Possible missing notebooks (%s) and/or extra notebooks (%s) submitted for %s",
                             ", ".join(missing) or "none", ", ".join(extra) or "none", assignment_id)
        answer = self.call(client.json, "POST", f"submissions/{assignment_id}", body=self.pack_folder(source))
        asked = self.coursedir.student_id
        if asked not in ("", "*", answer["student_id"]):
            self.log.warning("Submitted under your hub name %s, not %s: the exchange service takes the name "
                             "from your hub token only", answer["student_id"], asked)
        self.timestamp = answer["stamp"]
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id, assignment_id, answer["stamp"])


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


class HubList(HubExchange, ExchangeList):
    """``nbgrader list`` (and JupyterLab's Assignments tab): releases, or one's own (instructors: all) submissions."""

    def _released(self) -> list[dict[str, Any]]:
        wanted = self.coursedir.assignment_id
        found = []
        for release in self.call(self.client().json, "GET", "releases")["assignments"]:
            assignment_id = release["assignment_id"]
            if wanted and wanted != "*" and assignment_id != wanted:
                continue
            info: dict[str, Any] = {"course_id": self.coursedir.course_id, "assignment_id": assignment_id}
            local = self.local_dir(assignment_id)
            if local.is_dir():
                info["status"], info["path"] = "fetched", str(local)
                notebooks = sorted(glob.glob(os.path.join(local, "*.ipynb")))
                info["notebooks"] = [{"notebook_id": Path(p).stem, "path": os.path.abspath(p)} for p in notebooks]
            else:
                info["status"], info["path"] = "released", f"{self.service_url}api/releases/{assignment_id}"
                info["notebooks"] = [{"notebook_id": nb, "path": f"{info['path']}/{nb}.ipynb"}
                                     for nb in release["notebooks"]]
            found.append(info)
        return found

    def _submission_info(self, submission: dict[str, Any]) -> dict[str, Any]:
        feedback_dir = self.local_dir(submission["assignment_id"]) / "feedback" / submission["timestamp"]
        notebooks = []
        for notebook_id in submission["notebooks"]:
            local = feedback_dir / f"{notebook_id}.html"
            exchange_md5 = submission["feedback"].get(notebook_id)
            has_local = local.is_file()
            notebooks.append({
                "notebook_id": notebook_id, "path": notebook_id + ".ipynb",
                "has_local_feedback": has_local, "has_exchange_feedback": exchange_md5 is not None,
                "local_feedback_path": str(local) if has_local else None,
                "feedback_updated": bool(has_local and exchange_md5 and _md5(local) != exchange_md5),
            })
        every = bool(notebooks)
        has_local = every and all(nb["has_local_feedback"] for nb in notebooks)
        return {
            "course_id": self.coursedir.course_id, "student_id": submission["student_id"],
            "assignment_id": submission["assignment_id"], "timestamp": submission["timestamp"],
            "status": "submitted", "path": f"{submission['assignment_id']}/{submission['stamp']}",
            "notebooks": notebooks, "has_local_feedback": has_local,
            "has_exchange_feedback": every and all(nb["has_exchange_feedback"] for nb in notebooks),
            "feedback_updated": any(nb["feedback_updated"] for nb in notebooks),
            "local_feedback_path": str(feedback_dir) if has_local else None,
        }

    def _submitted(self) -> list[dict[str, Any]]:
        wanted = self.coursedir.assignment_id
        path = f"submissions/{wanted}" if wanted and wanted != "*" else "submissions"
        student = self.coursedir.student_id
        query = {"student": student} if self.inbound and student not in ("", "*") else None
        submissions = self.call(self.client().json, "GET", path, query=query)["submissions"]
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for submission in submissions:
            info = self._submission_info(submission)
            grouped.setdefault((info["student_id"], info["assignment_id"]), []).append(info)
        return [{"course_id": self.coursedir.course_id, "student_id": student_id, "assignment_id": assignment_id,
                 "status": "submitted", "submissions": sorted(items, key=lambda i: i["timestamp"])}
                for (student_id, assignment_id), items in sorted(grouped.items())]

    def list_files(self) -> list[dict[str, Any]]:
        if self.inbound or self.cached:
            assignments = self._submitted()
            self.log.info("Submitted assignments:")
            for assignment in assignments:
                for info in assignment["submissions"]:
                    note = (" (feedback ready to be fetched)" if info["has_exchange_feedback"]
                            and (not info["has_local_feedback"] or info["feedback_updated"])
                            else " (feedback already fetched)" if info["has_local_feedback"]
                            else " (no feedback available)")
                    self.log.info("%s %s %s %s%s", info["course_id"], info["student_id"], info["assignment_id"],
                                  info["timestamp"], note)
            return assignments
        released = self._released()
        self.log.info("Released assignments:")
        for info in released:
            fetched = " (already downloaded)" if info["status"] == "fetched" else ""
            self.log.info("%s %s%s", info["course_id"], info["assignment_id"], fetched)
        return released

    def remove_files(self) -> list[dict[str, Any]]:
        if self.inbound or self.cached:
            self.fail("The exchange service keeps every submission; removing submissions is not supported")
        released = self._released()
        for info in released:
            self.call(self.client().json, "DELETE", f"releases/{info['assignment_id']}")
            info["status"] = "removed"
            self.log.info("Removed released assignment: %s %s", info["course_id"], info["assignment_id"])
        return released


class HubCollect(HubExchange, ExchangeCollect):
    """``nbgrader collect``: each trainee's latest submission (or latest before the due date) into submitted/."""

    def _chosen(self) -> list[dict[str, Any]]:
        from nbgrader.api import Gradebook, MissingEntry

        assignment_id = self.coursedir.assignment_id
        student = self.coursedir.student_id
        query = {"student": student} if student not in ("", "*") else None
        submissions = self.call(self.client().json, "GET", f"submissions/{assignment_id}", query=query)["submissions"]
        duedate = None
        if self.before_duedate:
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                try:
                    duedate = gb.find_assignment(assignment_id).duedate
                except MissingEntry:
                    duedate = None
        by_student: dict[str, list[dict[str, Any]]] = {}
        for submission in submissions:
            by_student.setdefault(submission["student_id"], []).append(submission)
        chosen = []
        for items in by_student.values():
            items.sort(key=lambda s: s["stamp"], reverse=True)
            if duedate is not None:
                due = new_stamp(duedate if duedate.tzinfo else duedate.replace(tzinfo=timezone.utc))
                early = [s for s in items if s["stamp"] <= due]
                chosen.append(early[0] if early else items[0])
            else:
                chosen.append(items[0])
        return chosen

    def copy_files(self) -> None:
        assignment_id = self.coursedir.assignment_id
        chosen = self._chosen()
        if not chosen:
            self.log.warning("No submissions of '%s' for course '%s' to collect", assignment_id,
                             self.coursedir.course_id)
            return
        self.log.info("Processing %d submissions of '%s' for course '%s'", len(chosen), assignment_id,
                      self.coursedir.course_id)
        client = self.client()
        for submission in chosen:
            student_id = submission["student_id"]
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student_id, assignment_id))
            updating = False
            if dest.is_dir():
                existing = self.coursedir.get_existing_timestamp(str(dest))
                existing_stamp = stamp_from_timestamp(existing.isoformat()) if existing else None
                newer = existing_stamp is None or submission["stamp"] > existing_stamp
                if not ((self.update and newer) or (self.before_duedate and existing_stamp != submission["stamp"])):
                    self.log.info("%s: %s %s", "No newer submission to collect" if self.update
                                  else "Submission already exists, use --update to update", student_id, assignment_id)
                    continue
                updating = True
            data = self.call(client.download, f"submissions/{assignment_id}/{student_id}/{submission['stamp']}")
            if updating:
                self.log.info("Updating submission: %s %s", student_id, assignment_id)
                shutil.rmtree(dest)
            else:
                self.log.info("Collecting submission: %s %s", student_id, assignment_id)
            self.unpack_into(data, dest)


class HubReleaseFeedback(HubExchange, ExchangeReleaseFeedback):
    """``nbgrader release_feedback``: each trainee's feedback pages, for the submission they were made from."""

    def copy_files(self) -> None:
        assignment_id = self.coursedir.assignment_id
        student = self.coursedir.student_id if self.coursedir.student_id not in ("", "*") else "*"
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, student, assignment_id)
        client = self.client()
        released = 0
        for folder in sorted(Path(p) for p in glob.glob(pattern)):
            student_id = Path(os.path.relpath(folder, self.coursedir.format_path(
                self.coursedir.feedback_directory, ".", "."))).parts[0]
            pages = sorted(folder.glob("*.html"))
            stamp_file = folder / "timestamp.txt"
            if not pages or not stamp_file.is_file():
                self.log.warning("No feedback pages or timestamp.txt for %s in %s", student_id, folder)
                continue
            try:
                stamp = stamp_from_timestamp(stamp_file.read_text(encoding="utf-8"))
            except BadName as exc:
                self.log.warning("Feedback for %s not released: %s", student_id, exc)
                continue
            with tempfile.TemporaryDirectory() as scratch:
                for page in pages:
                    shutil.copyfile(page, Path(scratch) / page.name)
                try:
                    client.json("PUT", f"feedback/{assignment_id}/{student_id}/{stamp}", body=pack(Path(scratch)))
                except ServiceError as exc:
                    if exc.status == 404:
                        self.log.warning("Feedback for %s not released: %s", student_id, exc.message)
                        continue
                    self.fail(str(exc))
            released += 1
            self.log.info("Releasing feedback for student '%s' on assignment '%s/%s' (%s)", student_id,
                          self.coursedir.course_id, assignment_id, stamp)
        if not released:
            self.log.warning("No feedback released for %s", assignment_id)


class HubFetchFeedback(HubExchange, ExchangeFetchFeedback):
    """``nbgrader fetch_feedback``: one's own feedback pages into ``./<assignment>/feedback/<timestamp>/``."""

    def copy_files(self) -> None:
        wanted = self.coursedir.assignment_id
        client = self.client()
        path = f"submissions/{wanted}" if wanted and wanted != "*" else "submissions"
        submissions = self.call(client.json, "GET", path)["submissions"]
        fetched = 0
        for submission in submissions:
            if not submission["feedback"]:
                continue
            assignment_id = submission["assignment_id"]
            data = self.call(client.download,
                             f"feedback/{assignment_id}/{submission['student_id']}/{submission['stamp']}")
            dest = self.local_dir(assignment_id) / "feedback" / submission["timestamp"]
            with tempfile.TemporaryDirectory() as scratch:
                pages = Path(scratch) / "pages"
                self.unpack_into(data, pages)
                dest.mkdir(parents=True, exist_ok=True)
                for page in sorted(pages.glob("*.html")):
                    shutil.copyfile(page, dest / page.name)
                    fetched += 1
                    self.log.info("Fetched feedback: %s", dest / page.name)
        if not fetched:
            self.log.warning("No feedback available yet for %s", wanted or "any assignment")
