"""Certificates of completion: who qualifies, a printable page and PDF each, and a code anyone can check.

A trainee qualifies when every assignment listed under ``pass_percent`` in evaluation.yaml is submitted,
fully graded, and scores at least that share of its points in the gradebook. The certificate carries the
trainee's name (from the roster in the gradebook), the course, the date and a verification code::

    20261130-K7Q2M4XW9D3FTB6H-ann

that is the date, an HMAC-SHA256 (base32, 80 bits) of trainee id + course + date under a secret kept in
the course folder (``.certificate-secret``, mode 0600, made on first use), and the trainee id.
``verify_code`` recomputes the HMAC and checks the trainee against the gradebook, so a changed letter, date
or id fails, and so does a trainee the gradebook does not know.

The PDF is Chromium's own print of the HTML page (headless ``--print-to-pdf``), so any script the fonts on
the machine cover prints as it shows (the CI installs the Noto fonts: Latin, Arabic, CJK, emoji).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import os
import re
import secrets
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..atomic import write_text_atomic
from ..evaluation.settings import EvaluationSettings
from .gradebook import Cohort, Trainee

__all__ = ["SECRET_FILE", "CertificateError", "Eligibility", "Verification", "certificate_html", "eligibility",
           "load_secret", "make_code", "parse_code", "print_pdf", "verify_code", "write_certificate"]

SECRET_FILE = ".certificate-secret"
_CODE = re.compile(r"^(\d{8})-([A-Z2-7]{16})-(.+)$")


class CertificateError(RuntimeError):
    """A certificate cannot be made or checked; the message says why."""


# -- the secret and the code ------------------------------------------------------------------------
def load_secret(course_dir: Path | str, *, create: bool = True) -> bytes:
    """The course's secret, made (0600) on first use; a secret others can read is refused."""
    path = Path(course_dir) / SECRET_FILE
    if not path.exists() and create:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another run made it first: read that one
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise CertificateError(f"{path}: no certificate secret: no certificate was issued in this course "
                               "folder yet") from None
    if not stat.S_ISREG(info.st_mode):
        raise CertificateError(f"{path}: not a regular file")
    if info.st_mode & 0o077:
        raise CertificateError(f"{path}: readable by other users (mode {stat.S_IMODE(info.st_mode):o}); "
                               f"run `chmod 600 {path}` and check who may have copied it")
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < 32:
        raise CertificateError(f"{path}: the secret is too short; delete the file to make a new one "
                               "(certificates issued with the old one will no longer verify)")
    return secret.encode("ascii")


def _mac(secret: bytes, trainee_id: str, course: str, day: date) -> str:
    message = "\n".join((trainee_id, course, day.isoformat())).encode("utf-8")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii")  # 16 characters, no padding


def make_code(secret: bytes, trainee_id: str, course: str, day: date) -> str:
    """``YYYYMMDD-<mac>-<trainee id>``."""
    return f"{day:%Y%m%d}-{_mac(secret, trainee_id, course, day)}-{trainee_id}"


def parse_code(code: str) -> tuple[date, str, str]:
    """``(date, mac, trainee id)`` of a code; CertificateError when it is not shaped like one."""
    match = _CODE.match(code.strip())
    if not match:
        raise CertificateError(f"{code!r} is not a certificate code (expected YYYYMMDD-XXXXXXXXXXXXXXXX-trainee)")
    try:
        day = date(int(match[1][:4]), int(match[1][4:6]), int(match[1][6:]))
    except ValueError:
        raise CertificateError(f"{code!r}: {match[1]} is not a real date") from None
    return day, match[2], match[3]


# -- who qualifies --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    trainee: Trainee
    reasons: tuple[str, ...]  # empty: passed every threshold

    @property
    def passed(self) -> bool:
        return not self.reasons


def eligibility(cohort: Cohort, settings: EvaluationSettings, trainee: Trainee) -> Eligibility:
    """Whether ``trainee`` passed every threshold; otherwise each module that stops it, with score vs threshold."""
    reasons = []
    for assignment, needed in settings.pass_percent.items():
        if assignment not in cohort.assignments:
            reasons.append(f"{assignment}: not in the gradebook yet (needs {needed:g}%)")
            continue
        if (trainee.id, assignment) not in cohort.submitted:
            reasons.append(f"{assignment}: not submitted (needs {needed:g}%)")
            continue
        waiting = sum(cohort.score(trainee.id, e) is None for e in cohort.exercises_of(assignment))
        if waiting:
            reasons.append(f"{assignment}: {waiting} part(s) still waiting to be graded")
            continue
        top, got = cohort.max_of(assignment), cohort.total(trainee.id, assignment) or 0.0
        share = 100 * got / top if top else 0.0
        if share + 1e-9 < needed:
            reasons.append(f"{assignment}: {share:.0f}% ({got:g} of {top:g} points), below the {needed:g}% needed")
    return Eligibility(trainee, tuple(reasons))


# -- the page and the PDF --------------------------------------------------------------------------
_STYLE = """
@page { size: A4 landscape; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: "Noto Serif", "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Serif CJK SC",
  "Noto Sans CJK SC", "DejaVu Serif", serif, "Noto Color Emoji"; color: #1f2933; background: #fff; }
main { width: 297mm; height: 210mm; padding: 18mm; display: flex; }
.frame { flex: 1; border: 3px double #1c4e80; padding: 14mm 18mm; text-align: center; display: flex;
  flex-direction: column; justify-content: center; gap: 5mm; }
.kind { letter-spacing: .3em; text-transform: uppercase; color: #1c4e80; font-size: 13pt; margin: 0; }
h1 { font-size: 34pt; margin: 0; font-weight: 600; overflow-wrap: anywhere; unicode-bidi: isolate; }
.course { font-size: 20pt; margin: 0; }
.small { font-size: 11pt; color: #3e4c59; margin: 0; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 11pt; margin: 0; }
"""


def certificate_html(name: str, course: str, issuer: str, day: date, code: str) -> str:
    """A one-page landscape certificate; the name is escaped and isolated (right-to-left names stay whole)."""
    esc = html.escape
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Certificate: {esc(name)}</title><style>{_STYLE}</style></head><body><main><div class='frame'>"
        "<p class='kind'>Certificate of completion</p><p class='small'>This certifies that</p>"
        f"<h1 dir='auto'>{esc(name)}</h1>"
        f"<p class='small'>has completed every module of</p><p class='course'>{esc(course)}</p>"
        f"<p class='small'>Issued {day.strftime('%d %B %Y').lstrip('0')} by {esc(issuer)}</p>"
        f"<p class='code'>Verification code: {esc(code)}</p>"
        "<p class='small'>Check it with <code>course certificate --verify CODE</code> in the course folder.</p>"
        "</div></main></body></html>\n"
    )


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise CertificateError("chromium is needed to print the PDF (apt-get install chromium); "
                               "use --no-pdf for the HTML only")
    return found


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (written beside it, then renamed into place)."""
    with tempfile.TemporaryDirectory(prefix="course-certificate-") as profile:
        partial = pdf_path.with_name(f".{pdf_path.name}.partial")
        command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={partial}", html_path.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            raise CertificateError(f"chromium could not print {html_path}: {done.stderr.strip()[-500:]}")
        os.replace(partial, pdf_path)


def _file_stem(trainee_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", trainee_id).lstrip(".") or "trainee"


def write_certificate(folder: Path, trainee: Trainee, course: str, issuer: str, day: date, code: str,
                      *, pdf: bool = True) -> list[Path]:
    """Write ``<trainee>.html`` (and ``.pdf``) into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"certificate-{_file_stem(trainee.id)}.html"
    write_text_atomic(page, certificate_html(trainee.display_name, course, issuer, day, code))
    if not pdf:
        return [page]
    target = page.with_suffix(".pdf")
    print_pdf(page, target)
    return [page, target]


# -- verification --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str


def verify_code(code: str, secret: bytes, cohort: Cohort, settings: EvaluationSettings, course: str) -> Verification:
    """Is ``code`` a certificate this course issued, for a trainee the gradebook knows, who still qualifies?"""
    try:
        day, mac, trainee_id = parse_code(code)
    except CertificateError as exc:
        return Verification(False, f"Not valid: {exc}")
    trainee = next((t for t in cohort.trainees if t.id == trainee_id), None)
    if trainee is None:
        return Verification(False, f"Not valid: the gradebook has no trainee {trainee_id!r}")
    if not hmac.compare_digest(mac, _mac(secret, trainee_id, course, day)):
        return Verification(False, "Not valid: the code does not match (it was changed, or not issued by this "
                                   "course)")
    status = eligibility(cohort, settings, trainee)
    if not status.passed:
        return Verification(False, f"Not valid any more: {trainee.display_name} ({trainee_id}) no longer meets "
                                   f"the thresholds: {'; '.join(status.reasons)}")
    return Verification(True, f"Valid: certificate of {trainee.display_name} ({trainee_id}) for "
                              f"{settings.course_title}, issued {day.isoformat()}")
