"""The start page's evaluation view: the trainee's own pre/post per module, and where the certificate stands."""

from __future__ import annotations

from course_lib.evaluation import load_evaluation
from course_lib.evaluation.trainee_view import certificate_status, evaluation_html, learning_rows
from course_lib.models import load_exercise
from course_lib.store import AnswerStore
from course_lib.trainee_progress import ExerciseProgress, ModuleProgress

SETTINGS = load_evaluation()


def all_right(test_id):
    return {q.id: [next(o.id for o in q.options if o.correct)] for q in load_exercise(test_id).questions}


def module(assignment, points, maximum=5.0):
    return ModuleProgress(assignment, assignment, (ExerciseProgress("x", True, points, maximum),))


def test_pre_and_post_per_module_from_the_trainees_saved_answers(tmp_path):
    AnswerStore(tmp_path / "exercises" / "post-test" / "answers").save(SETTINGS.post_test,
                                                                        all_right(SETTINGS.post_test))
    rows = learning_rows(tmp_path, SETTINGS)
    assert rows[0] == (SETTINGS.modules[0].title, "not taken", "100%", "")
    AnswerStore(tmp_path / "exercises" / "pre-test" / "answers").save(
        SETTINGS.pre_test, {SETTINGS.modules[0].pre[0]: ["not-an-option"]})
    rows = learning_rows(tmp_path, SETTINGS)
    assert rows[0] == (SETTINGS.modules[0].title, "0%", "100%", "+100 points")


def test_certificate_status_names_what_is_missing():
    progress = [module(a, 5.0) for a in SETTINGS.pass_percent]
    assert certificate_status(progress, SETTINGS) == (True, [])
    progress[2] = module(progress[2].assignment, 2.0)
    on_track, reasons = certificate_status(progress[:-1], SETTINGS)
    assert not on_track and reasons == [f"{progress[2].assignment}: 40% so far (needs 60%)",
                                        f"{list(SETTINGS.pass_percent)[-1]}: nothing saved yet (needs 60%)"]


def test_the_view_is_escaped_html(tmp_path):
    page = evaluation_html(tmp_path, [module(a, 5.0) for a in SETTINGS.pass_percent])
    assert "Certificate: on track." in page and "<h3>Before and after the course</h3>" in page
