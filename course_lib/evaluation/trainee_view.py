"""The start page's view of the evaluation, for the trainee: pre/post per module and certificate status.

Read from the trainee's own saved answers beside the release (``exercises/<assignment>/answers``) and the
self-check scores of ``trainee_progress``; nothing is moved or written. The certificate status is an
estimate (written answers are marked later by the instructor): the certificate itself is issued from the
gradebook by ``course certificate``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..models import ContentError, load_exercise
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError
from .gain import trainee_gains
from .settings import EvaluationSettings, load_evaluation, load_tests

__all__ = ["certificate_status", "evaluation_html", "learning_rows"]


def _saved(root: Path, assignment: str, exercise_id: str) -> Any | None:
    from ..grading import parser_for

    exercise = load_exercise(exercise_id)
    try:
        saved = AnswerStore(root / "exercises" / assignment / DEFAULT_ANSWERS_DIR).load(
            exercise_id, parse=parser_for(exercise), quarantine=False)
    except CorruptAnswersError:
        return None
    return saved.answer if saved else None


def learning_rows(root: Path, settings: EvaluationSettings) -> list[tuple[str, str, str, str]]:
    """``(module, before, after, change)`` as text, per module."""
    pre, post = load_tests(settings)
    gains = trainee_gains(settings, pre, post, _saved(root, "pre-test", pre.id), _saved(root, "post-test", post.id))

    def pct(share: float | None) -> str:
        return "not taken" if share is None else f"{100 * share:.0f}%"

    return [(g.title, pct(g.pre_share), pct(g.post_share),
             "" if g.gain is None else f"{100 * g.gain:+.0f} points") for g in gains]


def certificate_status(progress: list[Any], settings: EvaluationSettings) -> tuple[bool, list[str]]:
    """``(on track, reasons)`` from the self-check scores of ``trainee_progress.course_progress``."""
    by_name = {m.assignment: m for m in progress}
    reasons = []
    for assignment, needed in settings.pass_percent.items():
        module = by_name.get(assignment)
        if module is None or not module.done:
            reasons.append(f"{assignment}: nothing saved yet (needs {needed:g}%)")
            continue
        share = 100 * module.points / module.max_points if module.max_points else 0.0
        if share + 1e-9 < needed:
            reasons.append(f"{assignment}: {share:.0f}% so far (needs {needed:g}%)")
    return not reasons, reasons


def evaluation_html(root: Path, progress: list[Any]) -> str:
    """Two small sections for the start page; every text escaped. An invalid evaluation.yaml is named."""
    try:
        settings = load_evaluation()
        rows = learning_rows(root, settings)
    except ContentError as exc:
        return f"<p>Evaluation not shown: {html.escape(str(exc))}</p>"
    esc = html.escape
    table = "".join(f"<tr><td>{esc(m)}</td><td>{esc(a)}</td><td>{esc(b)}</td><td>{esc(c)}</td></tr>"
                    for m, a, b, c in rows)
    on_track, reasons = certificate_status(progress, settings)
    status = ("<p><b>Certificate: on track.</b> Every module reaches its pass mark in the self-check; your "
              "instructor issues the certificate once the grades are final.</p>" if on_track else
              "<p><b>Certificate: not yet.</b> To qualify, every module needs its pass mark:</p><ul>"
              + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>")
    return ("<h3>Before and after the course</h3><table><thead><tr><th>Module</th><th>Pre-course check</th>"
            f"<th>Post-course check</th><th>Change</th></tr></thead><tbody>{table}</tbody></table>"
            f"<h3>Certificate</h3>{status}")
