"""The trainee's self-check: formatted feedback in JupyterLab, a bare float for nbgrader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import nbformat
import pytest
from IPython.core.formatters import DisplayFormatter
from nbgrader.utils import determine_grade

from course_lib import check
from course_lib.models import exercise_ids, load_exercise
from course_lib.store import AnswerStore
from tests.synthetic import QUALITIES, SCRIPT, answer_for


class _Page(HTMLParser):
    """The parts of an HTML fragment a test looks at: elements, attributes, text per element."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.unclosed = 0
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("img", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.unclosed += 1
        else:
            self.open.pop()

    def handle_data(self, data):
        for tag in set(self.open):
            self.text.setdefault(tag, []).append(data)

    def all_text(self, tag: str) -> str:
        return "".join(self.text.get(tag, []))


def _formatted(score: float) -> dict[str, str]:
    """The mime bundle IPython's kernel sends for a cell ending in ``score``."""
    data, _metadata = DisplayFormatter().format(score)
    return data


def test_check_prints_answers_feedback_and_score(tmp_path, capsys):
    AnswerStore(tmp_path).save("m1-brainstorm", ["Listen to the whole question", "Smile"])
    score = check("m1-brainstorm", tmp_path)
    out, err = capsys.readouterr()
    assert isinstance(score, float) and 0 < score < 5 and repr(score) == repr(float(score))
    assert "Your answers (2):" in out and "1. Listen to the whole question" in out
    assert f"Score: {score:g} of 5 points" in out
    assert err == ""


def test_check_with_nothing_saved_is_zero_without_stderr(tmp_path, capsys):
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "No answers saved yet" in out and err == ""


def test_check_with_corrupt_answers_explains_and_scores_zero(tmp_path, capsys):
    (tmp_path / "m1-brainstorm.json").write_text("][", encoding="utf-8")
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "could not be read" in out and err == ""


def test_grading_code_imports_no_widgets_or_matplotlib():
    probe = (
        "import sys, course_lib.grading, course_lib.selfcheck;"
        "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_huge_answer_is_shortened_in_the_feedback_and_says_so():
    from course_lib.grading import MAX_LINE_CHARS, MAX_SHOWN_CHARS, shorten

    lines = shorten(["short", "y" * (MAX_LINE_CHARS + 50), *(["z" * 1000] * 200)])
    assert lines[0] == "short"
    assert lines[1].endswith("… [shortened: 50 more characters not shown]")
    assert lines[-1].startswith("[shortened: ") and lines[-1].endswith("more lines not shown]")
    assert sum(len(line) + 1 for line in lines) < MAX_SHOWN_CHARS + MAX_LINE_CHARS + 100


@pytest.mark.parametrize("case", ["latin-1", "utf-16", "deep nesting", "year 1", "year 9999", "naive time", "NaN"])
def test_check_and_show_keep_an_unreadable_file_aside_instead_of_raising(tmp_path, capsys, case):
    from course_lib.exercises import show

    from .test_store import UNREADABLE

    content, _reason = UNREADABLE[case]
    (tmp_path / "m1-brainstorm.json").write_bytes(content)
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    kept = sorted(tmp_path.glob("m1-brainstorm.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert f"it was kept as {kept[0].name}" in out and err == ""
    # the widget, shown again, says where the old file is and saves to a fresh one
    (tmp_path / "m1-brainstorm.json").write_bytes(content)
    widget = show("m1-brainstorm", tmp_path)
    assert "could not be read" in widget.message.value and ".corrupt-" in widget.message.value
    assert widget.add("Listen to the whole question first")
    assert AnswerStore(tmp_path).load("m1-brainstorm").answer == ["Listen to the whole question first"]
    assert len(list(tmp_path.glob("m1-brainstorm.json.corrupt-*"))) == 2


def test_a_linked_answers_folder_is_reported_by_the_widget_and_never_written_through(tmp_path):
    from course_lib.exercises import show

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "answers").symlink_to(elsewhere)
    widget = show("m1-brainstorm", tmp_path / "answers")
    assert "is a symbolic link" in widget.message.value
    widget.add("Listen to the whole question first")
    assert "could not be saved" in widget.message.value and "symbolic link" in widget.message.value
    assert list(elsewhere.iterdir()) == []


def test_a_10_mb_answer_gives_a_short_report_that_says_why(tmp_path, capsys):
    record = {"format": 1, "exercise": "m5-recovery-reply", "saved_at": "2026-03-02T10:00:00+00:00",
              "answer": {"text": "I am sorry. " * 900_000}}
    (tmp_path / "m5-recovery-reply.json").write_text(json.dumps(record), encoding="utf-8")
    assert check("m5-recovery-reply", tmp_path) == 0.0
    out, _err = capsys.readouterr()
    assert len(out) < 5000 and "it is too large" in out
    # below the file cap but over the widget's limit: refused by the parser, just as briefly
    record["answer"]["text"] = "I am sorry. " * 50_000
    (tmp_path / "m5-recovery-reply.json").write_text(json.dumps(record), encoding="utf-8")
    assert check("m5-recovery-reply", tmp_path) == 0.0
    out, _err = capsys.readouterr()
    assert len(out) < 5000 and "the reply has 600000 characters; the exercise allows at most 5000" in out


def test_in_a_notebook_the_result_is_formatted_feedback_over_a_bare_float(tmp_path):
    """JupyterLab shows text/html; nbgrader reads the float from text/plain of the same result."""
    AnswerStore(tmp_path).save("m1-brainstorm", ["Listen to the whole question before answering", "Smile"])
    score = check("m1-brainstorm", tmp_path)
    data = _formatted(score)
    assert data["text/plain"] == repr(float(score))
    cell = nbformat.v4.new_code_cell('check("m1-brainstorm")', metadata={
        "nbgrader": {"grade": True, "solution": False, "grade_id": "m1-brainstorm", "points": 5}})
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=1)]
    assert determine_grade(cell) == (float(score), 5.0) and 0 < score < 5

    page = _Page(data["text/html"])
    assert page.unclosed == 0 and page.open == []
    assert page.all_text("h3") == "Customer Service means..."
    assert f"Score: {score:g} of 5 points" in page.all_text("strong")
    items = page.all_text("li")
    assert "✓" in items and "✗" in items  # one entry counted, one not
    assert "Listen to the whole question before answering" in items
    marks = [attrs.get("title") for tag, attrs in page.tags if tag == "span"]
    assert "counts" in marks and "does not count yet" in marks
    assert any(tag == "details" for tag, _ in page.tags)  # the saved answers are folded away


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_hostile_answers_are_shown_as_text_never_as_markup(tmp_path, exercise_id):
    exercise = load_exercise(exercise_id)
    answer = answer_for(exercise, "hostile")
    try:
        AnswerStore(tmp_path).save(exercise_id, answer)
    except (TypeError, ValueError):
        (tmp_path / f"{exercise_id}.json").write_text(json.dumps(
            {"format": 1, "exercise": exercise_id, "saved_at": "2026-03-02T10:00:00+00:00", "answer": answer}))
    score = check(exercise_id, tmp_path)
    page = _Page(score.html)
    allowed = {"section", "h3", "p", "strong", "span", "ul", "ol", "li", "details", "summary", "img"}
    assert {tag for tag, _ in page.tags} <= allowed
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert page.unclosed == 0
    if SCRIPT in score.text:  # what the grader shows as text is shown as text here too
        assert SCRIPT in page.all_text("section")


@pytest.mark.parametrize("quality", QUALITIES)
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_reports_have_no_scaling_noise(tmp_path, exercise_id, quality):
    """The score line explains a scaled score only when it is partial; no '-0' penalty lines."""
    exercise = load_exercise(exercise_id)
    answer = answer_for(exercise, quality)
    if answer is not None:
        try:
            AnswerStore(tmp_path).save(exercise_id, answer)
        except (TypeError, ValueError):
            pass
    score = check(exercise_id, tmp_path)
    last = score.text.splitlines()[-1]
    assert last.startswith(f"Score: {score:g} of {exercise.points:g} points")
    if score in (0, exercise.points):
        assert last == f"Score: {score:g} of {exercise.points:g} points"
    assert "scaled" not in score.text and "−0 " not in score.text and "-0 for" not in score.text


def test_the_self_assessment_check_shows_the_chart_with_its_numbers_once_finished(tmp_path):
    exercise = load_exercise("m7-self-assessment")
    answer = answer_for(exercise, "good")
    AnswerStore(tmp_path).save(exercise.id, {k: v for k, v in list(answer.items())[:3]})
    assert not any(tag == "img" for tag, _ in _Page(check(exercise.id, tmp_path).html).tags)
    AnswerStore(tmp_path).save(exercise.id, answer)
    images = [attrs for tag, attrs in _Page(check(exercise.id, tmp_path).html).tags if tag == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")
    for theme in exercise.themes:
        assert theme.label in images[0]["alt"]
    assert "4 of 4" in images[0]["alt"]


def test_checking_other_exercises_imports_no_matplotlib(tmp_path):
    probe = (
        "import sys; from course_lib import check; from course_lib.store import AnswerStore;"
        f"AnswerStore({str(tmp_path)!r}).save('m1-brainstorm', ['Listen to the whole question']);"
        f"check('m1-brainstorm', {str(tmp_path)!r});"
        "print('matplotlib' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "False"


def test_no_chart_is_drawn_while_nbgrader_runs_the_notebook(tmp_path):
    """Autograde and validate replace or ignore the output: the grading kernel must not pay for matplotlib."""
    exercise = load_exercise("m7-self-assessment")
    AnswerStore(tmp_path).save(exercise.id, answer_for(exercise, "good"))
    probe = (
        "import sys; from course_lib import check;"
        f"score = check('m7-self-assessment', {str(tmp_path)!r});"
        "print('<img' in score.html, 'matplotlib' in sys.modules, float(score), file=sys.stderr)"
    )
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert out.stderr.split() == ["False", "False", "5.0"]
