"""The cohort report: its charts, the brainstorm themes and bands from graded answers, escaping."""

from __future__ import annotations

import re

from course_lib.cohort.report import build_report
from course_lib.models import load_exercise
from course_lib.store import AnswerStore

CHART = '<img src="data:image/png;base64,'


def save(autograded, student, assignment, exercise_id, answer):
    AnswerStore(autograded / student / assignment / "answers").save(exercise_id, answer)


def test_report_has_a_chart_per_section_and_escapes_names(cohort, tmp_path):
    save(tmp_path, "ann", "module1", "m1-brainstorm", ["Listen carefully to every caller", "be nice"])
    save(tmp_path, "pat", "module1", "m1-brainstorm", ["Call the customer back when I promised"])
    statements = load_exercise("m7-self-assessment").statements
    save(tmp_path, "ann", "module7", "m7-self-assessment", {s.id: True for s in statements})
    page = build_report(cohort, tmp_path, title="Cohort <A&B>")
    # completion, two module distributions, brainstorm themes, self-assessment bands
    assert page.count(CHART) == 5
    assert "<title>Cohort &lt;A&amp;B&gt;</title>" in page
    assert "O&#x27;Neil, &quot;Jr&quot;" in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "0 self-assessment(s) not finished" in page


def test_unfinished_self_assessments_are_left_out_of_the_bands(cohort, tmp_path):
    first = load_exercise("m7-self-assessment").statements[0]
    save(tmp_path, "ann", "module7", "m7-self-assessment", {first.id: True})
    page = build_report(cohort, tmp_path)
    assert "1 self-assessment(s) not finished are left out" in page
    assert page.count(CHART) == 3  # completion + two distributions; no brainstorm answers, no bands


def test_sections_without_data_say_so(cohort, tmp_path):
    page = build_report(cohort, tmp_path)
    assert "No graded brainstorm answers yet." in page
    assert "No graded self-assessments yet." in page
    assert re.search(r"<td>module7</td><td>1</td><td>1</td><td>3</td>", page)  # ann only
