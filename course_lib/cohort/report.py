"""The cohort report: one self-contained HTML page for the instructor.

Sections: completion per module, score distribution per module, the evaluation (pre/post learning
gain, anonymous reaction surveys, commitments kept 30 days on: ``evaluation_report.py``), the Module 1
brainstorm's theme coverage across the cohort (``judge_items`` on each
trainee's autograded answers), the self-assessment bands (``band_for``, when
the m7-self-assessment exercise and its scoring exist) and a table of the
trainees' module totals. Charts are PNG data URIs, so the page can be mailed
or archived as one file; every name and text is HTML-escaped.

Answers are read from ``autograded/<trainee>/<assignment>/answers/``: the
copies that were graded, never the trainees' own submissions, and never
moved or changed (``quarantine=False``).
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..models import find_exercise_file, load_exercise, load_exercise_as
from ..models.brainstorm import BrainstormExercise
from ..models.true_false import TrueFalseExercise
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError
from . import charts
from .export import fmt
from .gradebook import Cohort

__all__ = ["BRAINSTORM_ID", "SELF_ASSESSMENT_ID", "build_report", "write_report"]

BRAINSTORM_ID = "m1-brainstorm"
SELF_ASSESSMENT_ID = "m7-self-assessment"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _img(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{_esc(alt)}"></figure>'


def _saved_answers(cohort: Cohort, autograded: Path, exercise_id: str) -> tuple[str | None, dict[str, Any]]:
    """``(assignment, {trainee id: parsed answer})`` for an exercise, from the graded copies."""
    holder = next((e.assignment for e in cohort.exercises if e.grade_id == exercise_id), None)
    if holder is None or find_exercise_file(exercise_id) is None:
        return holder, {}
    from ..grading import scorer_for

    parse = scorer_for(load_exercise(exercise_id)).parse_answer
    answers = {}
    for trainee in cohort.trainees:
        store = AnswerStore(autograded / trainee.id / holder / DEFAULT_ANSWERS_DIR)
        try:
            saved = store.load(exercise_id, parse=parse, quarantine=False)
        except CorruptAnswersError:
            continue
        if saved is not None:
            answers[trainee.id] = saved.answer
    return holder, answers


def completion_section(cohort: Cohort) -> str:
    size = len(cohort.trainees) or 1
    labels, submitted, graded = [], [], []
    for assignment in cohort.assignments:
        sub = [t for t in cohort.trainees if (t.id, assignment) in cohort.submitted]
        done = [t for t in sub if all(cohort.score(t.id, e) is not None for e in cohort.exercises_of(assignment))]
        labels.append(assignment)
        submitted.append(round(100 * len(sub) / size))
        graded.append((len(sub), len(done)))
    rows = "".join(
        f"<tr><td>{_esc(a)}</td><td>{s}</td><td>{d}</td><td>{len(cohort.trainees) - s}</td></tr>"
        for a, (s, d) in zip(labels, graded, strict=True)
    )
    chart = charts.bar_chart(labels, submitted, "Submitted, per module", "% of the cohort", xmax=100)
    return (
        "<h2>Completion</h2>"
        + _img(chart, charts.bars_text("Share of the cohort that submitted each module", labels, submitted, "%"))
        + "<table><tr><th>module</th><th>submitted</th><th>fully graded</th><th>not submitted</th></tr>"
        + rows + "</table>"
    )


def distribution_section(cohort: Cohort) -> str:
    parts, charts_html = ["<h2>Score distribution per module</h2>"], []
    for assignment in cohort.assignments:
        top = cohort.max_of(assignment)
        totals = [cohort.total(t.id, assignment) for t in cohort.trainees]
        values = [100 * v / top for v in totals if v is not None and top]
        if not values:
            parts.append(f"<p>{_esc(assignment)}: no submissions yet.</p>")
            continue
        mean = sum(values) / len(values)
        title = f"{assignment}: {len(values)} trainee(s), mean {mean:.0f}%"
        charts_html.append(_img(charts.histogram(values, title), charts.histogram_text(values, title)))
    # Side by side where the window allows: eight modules stacked made a very long page.
    return "".join(parts) + (f'<div class="chart-grid">{"".join(charts_html)}</div>' if charts_html else "")


def brainstorm_section(cohort: Cohort, autograded: Path) -> str:
    from ..scoring.brainstorm import judge_items

    holder, answers = _saved_answers(cohort, autograded, BRAINSTORM_ID)
    head = "<h2>Brainstorm: themes of good service across the cohort</h2>"
    if holder is None or not answers:
        return head + "<p>No graded brainstorm answers yet.</p>"
    exercise = load_exercise_as(BRAINSTORM_ID, BrainstormExercise)
    covered: Counter[str] = Counter()
    counted_items = []
    for items in answers.values():
        verdicts = judge_items(exercise, items)
        covered.update({label for v in verdicts for label in v.themes})
        counted_items.append(sum(v.counted for v in verdicts))
    labels = [t.label for t in exercise.themes]
    shares = [round(100 * covered[label] / len(answers)) for label in labels]
    chart = charts.bar_chart(labels, shares, f"Themes covered ({len(answers)} trainees)", "% of trainees", xmax=100)
    rarest = [label for label, _ in sorted(zip(labels, shares, strict=True), key=lambda p: p[1])[:2]]
    return (
        head + _img(chart, charts.bars_text("Share of trainees whose brainstorm covered each theme", labels, shares,
                                            "%"))
        + f"<p>Median distinct behaviours counted: {sorted(counted_items)[len(counted_items) // 2]}. "
        + f"Least covered: {_esc(', '.join(rarest))} (worth a discussion in the next session).</p>"
    )


def bands_section(cohort: Cohort, autograded: Path) -> str:
    head = "<h2>Self-assessment bands</h2>"
    if find_exercise_file(SELF_ASSESSMENT_ID) is None:
        return head + f"<p>This course has no {SELF_ASSESSMENT_ID} exercise.</p>"
    try:
        from ..scoring.true_false import band_for
    except ImportError:
        return head + "<p>Band chart skipped: the self-assessment scoring (band_for) is not available.</p>"
    holder, answers = _saved_answers(cohort, autograded, SELF_ASSESSMENT_ID)
    if holder is None or not answers:
        return head + "<p>No graded self-assessments yet.</p>"
    exercise = load_exercise_as(SELF_ASSESSMENT_ID, TrueFalseExercise)
    ids = {s.id for s in exercise.statements}
    complete = {t: a for t, a in answers.items() if ids <= a.keys()}
    counts = Counter(band_for(exercise, a).label for a in complete.values())
    labels = [band.label for band in exercise.bands]
    note = f"<p>{len(answers) - len(complete)} self-assessment(s) not finished are left out.</p>"
    if not complete:
        return head + note
    chart = charts.bar_chart(labels, [counts[label] for label in labels],
                             f"Self-assessment bands ({len(complete)} trainees)", "trainees")
    alt = charts.bars_text("Trainees per self-assessment band", labels, [counts[label] for label in labels])
    return head + _img(chart, alt) + note


def trainees_section(cohort: Cohort) -> str:
    head = "".join(f'<th class="v">{_esc(a)} ({fmt(cohort.max_of(a))})</th>' for a in cohort.assignments)
    rows = []
    for t in cohort.trainees:
        cells = "".join(f"<td>{fmt(cohort.total(t.id, a)) or '&ndash;'}</td>" for a in cohort.assignments)
        rows.append(f"<tr><td>{_esc(t.display_name)}</td><td>{_esc(t.id)}</td>{cells}"
                    f"<td>{fmt(cohort.total(t.id)) or '&ndash;'}</td><td>{cohort.ungraded(t.id)}</td></tr>")
    return (
        '<h2>Trainees</h2><table class="trainees"><tr><th>name</th><th>id</th>' + head
        + f'<th class="v">total ({fmt(cohort.max_of())})</th><th class="v">ungraded</th></tr>'
        + "".join(rows) + "</table>"
    )


# One stylesheet in the page (no fonts or scripts from the network): readable
# type, sections as cards, tables and long names that wrap instead of running
# off the right edge.
_STYLE = """
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: #1f2933;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
header.top { background: #1c4e80; color: #fff; padding: 1.5rem 0 1.25rem; }
header.top h1 { margin: 0 0 .25rem; font-size: 1.75rem; line-height: 1.25; }
header.top p { margin: 0; opacity: .9; }
.wrap { max-width: 64rem; margin: 0 auto; padding: 0 1.25rem; }
main, p, td, th, figcaption { overflow-wrap: anywhere; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 10px;
  margin: 1.25rem 0; padding: .5rem 1.5rem 1rem; }
h2 { font-size: 1.3rem; color: #1c4e80; margin: 1rem 0 .5rem; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; font-variant-numeric: tabular-nums; }
td, th { border-bottom: 1px solid #d9e2ec; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-size: .85rem; }
table.trainees { font-size: .85rem; } table.trainees td:nth-child(n+3) { white-space: nowrap; }
/* Module columns: headings set vertically, so a dozen modules fit beside long names. */
table.trainees th.v { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  vertical-align: bottom; }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 26rem), 1fr)); gap: 0 1.5rem; }
.chart-grid figure { margin: .5rem 0; }
table.gains { font-size: .85rem; } table.gains th.v { writing-mode: vertical-rl; transform: rotate(180deg);
  white-space: nowrap; vertical-align: bottom; }
p.note { font-size: .9rem; color: #3e4c59; } h3 { font-size: 1.05rem; color: #1c4e80; }
table.reaction th[scope=row] { font-weight: normal; }
footer { color: #52606d; font-size: .85rem; padding: 0 0 2rem; }
@media print { body { background: #fff; } section { border: none; padding: 0; }
  header.top { background: none; color: #000; } }
"""


def build_report(cohort: Cohort, autograded: Path | str, *, title: str = "Cohort report",
                 class_dir: Path | str | None = None) -> str:
    """The whole page as a string; ``class_dir``: the live class folder with the reaction surveys."""
    from .evaluation_report import evaluation_sections

    autograded = Path(autograded)
    body = "".join(f"<section>{part}</section>" for part in [
        completion_section(cohort),
        distribution_section(cohort),
        *evaluation_sections(cohort, autograded, Path(class_dir) if class_dir else None),
        brainstorm_section(cohort, autograded),
        bands_section(cohort, autograded),
        trainees_section(cohort),
    ])
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>"
        f'<header class="top"><div class="wrap"><h1>{_esc(title)}</h1><p>{len(cohort.trainees)} trainee(s); modules: '
        f"{_esc(', '.join(cohort.assignments))}. Generated {when}.</p></div></header>"
        f'<main class="wrap">{body}</main>'
        '<footer class="wrap">Scores from the gradebook; answers from the graded copies (autograded/).</footer>'
        "</body></html>\n"
    )


def write_report(cohort: Cohort, autograded: Path | str, target: Path | str, *, title: str = "Cohort report",
                 class_dir: Path | str | None = None) -> None:
    # Atomic: a full disk keeps the old report.
    write_text_atomic(target, build_report(cohort, autograded, title=title, class_dir=class_dir))
