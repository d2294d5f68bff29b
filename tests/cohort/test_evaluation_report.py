"""The report's evaluation sections on a whole page: learning, reaction (anonymous) and behaviour."""

from __future__ import annotations

from course_lib.cohort.gradebook import Cohort, Exercise, Trainee
from course_lib.cohort.report import build_report
from course_lib.live.config import LiveConfig
from course_lib.live.publish import publish_answer
from course_lib.models import load_exercise
from course_lib.store import AnswerStore

CHART = '<img src="data:image/png;base64,'


def right(test_id, wrong_ids=()):
    return {q.id: [next(o.id for o in q.options if o.correct != (q.id in wrong_ids))]
            for q in load_exercise(test_id).questions}


def evaluation_cohort() -> Cohort:
    exercises = [Exercise("pre-test", "pre-test", "pre-knowledge-check", 14.0),
                 Exercise("post-test", "post-test", "post-knowledge-check", 14.0),
                 Exercise("follow-up", "follow-up", "m9-follow-up", 5.0)]
    trainees = [Trainee("ann", "Ann", "Lee"), Trainee("bo", "Bo", "<i>Kim</i>")]
    submitted = {(t, a) for t in ("ann", "bo") for a in ("pre-test", "post-test", "follow-up")}
    return Cohort(["pre-test", "post-test", "follow-up"], exercises, trainees, {}, submitted)


def test_the_page_has_the_evaluation_sections_with_charts_and_no_reaction_author(tmp_path):
    graded, class_dir = tmp_path / "autograded", tmp_path / "class"
    for trainee in ("ann", "bo"):
        AnswerStore(graded / trainee / "pre-test" / "answers").save(
            "pre-knowledge-check", right("pre-knowledge-check", {"service-is-behaviour", "whose-job"}))
    AnswerStore(graded / "ann" / "post-test" / "answers").save("post-knowledge-check", right("post-knowledge-check"))
    AnswerStore(graded / "bo" / "post-test" / "answers").save(
        "post-knowledge-check", right("post-knowledge-check", {"holiday-mail"}))
    AnswerStore(graded / "ann" / "follow-up" / "answers").save("m9-follow-up", {
        "plan_date": "2030-01-01", "next_step": "", "commitments": [
            {"behaviour": "a", "outcome": "done", "happened": "x", "obstacle": ""},
            {"behaviour": "b", "outcome": "partly", "happened": "", "obstacle": "y"},
            {"behaviour": "c", "outcome": "done", "happened": "z", "obstacle": ""}]})
    AnswerStore(graded / "bo" / "follow-up" / "answers").save("m9-follow-up", {
        "plan_date": "", "next_step": "", "commitments": [
            {"behaviour": "d", "outcome": "not-yet", "happened": "", "obstacle": "time"}]})
    config = LiveConfig(class_dir=class_dir, trainee_id="reactor-id-42", display_name="Rhea Reactor", publish="on")
    publish_answer("m5-reaction", "reaction", {"ratings": {"usefulness": 5, "clarity": 4}, "text": "Own it"}, config)

    page = build_report(evaluation_cohort(), graded, class_dir=class_dir)
    assert "Learning: knowledge before and after the course" in page
    assert "2 trainee(s) took the pre-test, 2 the post-test, 2 both." in page
    assert "You are going on holiday" in page  # the one post question someone still got wrong
    assert "<b>50% of commitments kept</b> (2 of 4, from 2 trainee(s)" in page
    assert "Reaction: how the modules landed (anonymous)" in page and "Own it" in page
    assert "reactor-id-42" not in page and "Rhea" not in page
    assert "&lt;i&gt;Kim&lt;/i&gt;" in page and "<i>Kim" not in page
    # learning (before/after), reaction means, commitments by outcome
    assert page.count(CHART) >= 3 + 1  # + completion; per-assignment histograms need gradebook scores
