"""The cohort report's evaluation sections (Kirkpatrick levels 1-3), beside the grade sections of report.py.

* Learning: pre/post-test per module (who took which, the distribution of scores, mean gain and the class's
  normalised gain, a chart), each trainee's gain, and the post-test questions most often still wrong.
* Reaction: the end-of-module surveys from the live class folder, summarised with no trainee id or name.
* Behaviour: the 30-day follow-ups, and the share of commitments kept.

Answers come from the graded copies (``autograded/``) like the rest of the report; reaction surveys are
lesson activities, so they come from the class folder the board reads.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from statistics import mean

from ..evaluation.gain import CohortModule, cohort_modules, still_wrong, trainee_gains
from ..evaluation.reaction_summary import reaction_html, summarise_reactions
from ..evaluation.settings import EvaluationSettings, load_evaluation
from ..models import ContentError, exercise_ids, load_exercise, load_exercise_as
from ..models.choice import ChoiceExercise
from ..models.follow_up import FollowUpExercise
from ..models.reaction import ReactionExercise
from . import charts
from .gradebook import Cohort
from .report import _esc, _img, _saved_answers

__all__ = ["behaviour_section", "evaluation_sections", "learning_section", "reaction_section"]

_GAIN_NOTE = (
    "<p class='note'>Scores are shares of each module's questions. <b>Mean gain</b>: post minus pre, in "
    "percentage points, over the trainees who took both tests. <b>Normalised gain</b> g = (post &minus; pre) / "
    "(max &minus; pre), for the class means (Hake's gain): the share of the room to improve that was used. "
    "A test with no answer counts as not taken, never as 0; a trainee without a pre-test is in the post "
    "distribution only; a trainee at full marks before the course has no room to improve and is counted as "
    "<i>at ceiling</i>.</p>"
)


def _pct(value: float | None) -> str:
    return "&ndash;" if value is None else f"{100 * value:.0f}%"


def _distribution(values: list[float]) -> str:
    if not values:
        return "&ndash;"
    counts = Counter(round(100 * v) for v in values)
    return " &middot; ".join(f"{score}%: {n}" for score, n in sorted(counts.items()))


def _module_row(m: CohortModule) -> str:
    gain = m.mean_gain
    g = m.class_gain
    return (f"<tr><th scope='row'>{_esc(m.title)}</th><td>{len(m.pre)}</td><td>{_distribution(m.pre)}</td>"
            f"<td>{len(m.post)}</td><td>{_distribution(m.post)}</td><td>{len(m.pairs)}</td>"
            f"<td>{'&ndash;' if gain is None else f'{100 * gain:+.0f} pts'}</td>"
            f"<td>{'&ndash;' if g is None else f'{g:.2f}'}</td><td>{m.at_ceiling}</td></tr>")


def learning_section(cohort: Cohort, autograded: Path, settings: EvaluationSettings) -> str:
    head = "<h2>Learning: knowledge before and after the course</h2>"
    _, pre = _saved_answers(cohort, autograded, settings.pre_test)
    _, post = _saved_answers(cohort, autograded, settings.post_test)
    pre = {t: a for t, a in pre.items() if a}
    post = {t: a for t, a in post.items() if a}
    if not pre and not post:
        return head + "<p>No graded pre- or post-test yet.</p>"
    pre_test = load_exercise_as(settings.pre_test, ChoiceExercise)
    post_test = load_exercise_as(settings.post_test, ChoiceExercise)
    per_trainee = {t.id: trainee_gains(settings, pre_test, post_test, pre.get(t.id), post.get(t.id))
                   for t in cohort.trainees}
    modules = cohort_modules(per_trainee.values())
    both = len(set(pre) & set(post))
    labels = [m.title for m in modules]
    before = [round(100 * mean(m.pre)) if m.pre else None for m in modules]
    after = [round(100 * mean(m.post)) if m.post else None for m in modules]
    title = "Mean score per module, before and after"
    chart = charts.paired_bars(labels, before, after, title, "% of the module's questions right",
                               ("before", "after"), xmax=100)
    alt = charts.paired_text(title, labels, before, after, ("before", "after"), "%")
    table = ("<table class='learning'><tr><th scope='col'>module</th><th scope='col'>took pre</th>"
             "<th scope='col'>pre: trainees per score</th><th scope='col'>took post</th>"
             "<th scope='col'>post: trainees per score</th><th scope='col'>took both</th>"
             "<th scope='col'>mean gain</th><th scope='col'>normalised gain g</th>"
             "<th scope='col'>at ceiling</th></tr>" + "".join(_module_row(m) for m in modules) + "</table>")
    wrong = still_wrong(settings, post_test, post.values())
    wrong_html = ("<h3>Questions most often still wrong after the course</h3><table><tr><th scope='col'>question"
                  "</th><th scope='col'>module</th><th scope='col'>wrong</th></tr>"
                  + "".join(f"<tr><td>{_esc(w.text)}</td><td>{_esc(w.module_title)}</td>"
                            f"<td>{w.wrong} of {w.answered}</td></tr>" for w in wrong)
                  + "</table><p>Worth revisiting in those modules.</p>") if wrong else (
                      "<p>No post-test question was answered wrongly.</p>")
    rows = []
    for t in cohort.trainees:
        gains = per_trainee[t.id]
        if all(g.pre is None and g.post is None for g in gains):
            continue
        # One test gives every module a score or none, so `or 0.0` only tells the type checker so.
        total_pre = None if gains[0].pre is None else sum(g.pre or 0.0 for g in gains) / sum(g.pre_max for g in gains)
        total_post = (None if gains[0].post is None
                      else sum(g.post or 0.0 for g in gains) / sum(g.post_max for g in gains))
        cells = "".join(f"<td>{'&ndash;' if g.gain is None else f'{100 * g.gain:+.0f}'}</td>" for g in gains)
        rows.append(f"<tr><td>{_esc(t.display_name)}</td><td>{_pct(total_pre)}</td><td>{_pct(total_post)}</td>"
                    f"{cells}</tr>")
    per_module_heads = "".join(f"<th scope='col' class='v'>{_esc(m.assignment)}</th>" for m in settings.modules)
    trainee_table = ("<h3>Each trainee's gain per module (percentage points)</h3><table class='gains'><tr>"
                     "<th scope='col'>name</th><th scope='col' class='v'>pre</th><th scope='col' class='v'>post</th>"
                     f"{per_module_heads}</tr>" + "".join(rows) + "</table>")
    return (head + f"<p>{len(pre)} trainee(s) took the pre-test, {len(post)} the post-test, {both} both.</p>"
            + _img(chart, alt) + table + _GAIN_NOTE + wrong_html + trainee_table)


def _default_class_dir() -> Path:
    from ..live.config import load_config

    return load_config().class_dir


def reaction_section(class_dir: Path | None) -> str:
    """The surveys of every module: ratings and texts of the room, no id or name (they are never read)."""
    from ..live.aggregate import ClassFolder

    head = "<h2>Reaction: how the modules landed (anonymous)</h2>"
    folder_path = Path(class_dir) if class_dir else _default_class_dir()
    surveys = []
    for exercise_id in exercise_ids():
        try:
            exercise = load_exercise(exercise_id)
        except ContentError:
            continue
        if isinstance(exercise, ReactionExercise):
            surveys.append(exercise)
    if not surveys:
        return head + "<p>This course has no reaction surveys.</p>"
    if not folder_path.is_dir():
        return head + "<p>No reaction surveys yet (no class folder).</p>"
    folder = ClassFolder(folder_path)
    summaries = [summarise_reactions(e, [entry.answer for entry in folder.read(e).entries]) for e in surveys]
    summaries = [s for s in summaries if s.responses]
    if not summaries:
        return head + "<p>No reaction surveys answered yet.</p>"
    labels = [s.module for s in summaries]
    first, second = ([None if (m := s.ratings[i].mean) is None else round(m, 1) for s in summaries]
                     for i in (0, min(1, len(summaries[0].ratings) - 1)))
    names = (summaries[0].ratings[0].rating_id, summaries[0].ratings[-1].rating_id)
    title = "Mean rating per module (1 low, 5 high)"
    chart = charts.paired_bars(labels, first, second, title, "mean rating", names, xmax=5)
    alt = charts.paired_text(title, labels, first, second, names)
    # The tables are text already (a caption gives each its module): no hidden duplicate is needed.
    details = "".join(reaction_html(s) for s in summaries)
    return (head + f"<p>{sum(s.responses for s in summaries)} response(s) over {len(summaries)} module(s); "
            "texts are listed alphabetically, with no name.</p>" + _img(chart, alt) + details)


def behaviour_section(cohort: Cohort, autograded: Path, settings: EvaluationSettings) -> str:
    """Commitments kept, from the graded 30-day follow-ups."""
    head = "<h2>Behaviour: action plans 30 days on</h2>"
    _, answers = _saved_answers(cohort, autograded, settings.follow_up)
    answers = {t: a for t, a in answers.items() if a["commitments"]}
    if not answers:
        return head + "<p>No graded follow-ups yet.</p>"
    exercise = load_exercise_as(settings.follow_up, FollowUpExercise)
    outcomes: Counter[str] = Counter(c["outcome"] for a in answers.values() for c in a["commitments"])
    total = sum(outcomes.values())
    kept = sum(n for o, n in outcomes.items() if (found := exercise.outcome(o)) and found.kept)
    labels = [o.label for o in exercise.outcomes] + ["(no answer)"]
    values = [outcomes[o.id] for o in exercise.outcomes] + [total - sum(outcomes[o.id] for o in exercise.outcomes)]
    chart = charts.bar_chart(labels, values, f"Commitments by outcome ({total} from {len(answers)} trainees)",
                             "commitments")
    alt = charts.bars_text("Commitments by outcome", labels, values)
    return (head + f"<p><b>{100 * kept / total:.0f}% of commitments kept</b> ({kept} of {total}, from "
            f"{len(answers)} trainee(s) who sent their follow-up).</p>" + _img(chart, alt))


def evaluation_sections(cohort: Cohort, autograded: Path, class_dir: Path | None) -> list[str]:
    """The three sections, or one saying why there are none (an invalid evaluation.yaml names its field)."""
    try:
        settings = load_evaluation()
    except ContentError as exc:
        return [f"<h2>Evaluation</h2><p>Not shown: {_esc(exc)}</p>"]
    return [learning_section(cohort, autograded, settings), reaction_section(class_dir),
            behaviour_section(cohort, autograded, settings)]
