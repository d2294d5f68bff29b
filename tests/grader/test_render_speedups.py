"""The shortcuts that make a large cohort's grading fast must not change what nbgrader decides or a page shows."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import CheckCellMetadata

from course_lib.grader.nbgrader_adapter import checked_schemas_once
from course_lib.nbgrader_html import CourseFeedbackExporter
from course_lib.render_cache import LONGEST_KEPT, kept_renderings
from course_lib.safe_html import clean_answer_html


def _graded_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Lesson\n\nSome *lesson* text with ![a chart](chart.png) and a table."),
        nbformat.v4.new_code_cell("print('lesson code')"),
        nbformat.v4.new_code_cell("check('m1-quiz')", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": "m1-quiz", "points": 2,
            "schema_version": 3}}),
    ]
    return nb


def test_a_remembered_valid_cell_does_not_let_a_tampered_copy_through():
    good = _graded_notebook()
    tampered = copy.deepcopy(good)
    tampered.cells[2].metadata["nbgrader"]["points"] = "lots"  # not a number: nbgrader's schema refuses it
    with checked_schemas_once():
        for _ in range(3):  # the valid copy is remembered...
            CheckCellMetadata().preprocess(good, {})
        with pytest.raises(ValidationError):  # ...the tampered one is still checked, and refused
            CheckCellMetadata().preprocess(tampered, {})
        with pytest.raises(ValidationError):
            CheckCellMetadata().preprocess(tampered, {})


def test_kept_renderings_give_the_same_page_as_rendering_afresh():
    nb = _graded_notebook()
    nb.cells[2].metadata["nbgrader"]["score"] = 1
    resources = {"nbgrader": {"notebook": "m1", "score": 1, "max_score": 2, "late_penalty": 0}}
    first, _ = CourseFeedbackExporter().from_notebook_node(nb, copy.deepcopy(resources))
    again, _ = CourseFeedbackExporter().from_notebook_node(nb, copy.deepcopy(resources))
    exporter = CourseFeedbackExporter()
    exporter.from_notebook_node(nb, copy.deepcopy(resources))
    kept, _ = exporter.from_notebook_node(nb, copy.deepcopy(resources))  # from the exporter's kept renderings
    assert first == again == kept
    assert 'alt="a chart"' in kept and "lesson code" in kept


def test_a_worker_s_exporter_keeps_nothing_of_the_trainees_pages_it_rendered():
    # nbconvert keeps each exported notebook's metadata under its path: over a cohort's tens of thousands of
    # pages that was most of a grading worker's growth (about 4 MB per 1,000 submissions).
    exporter = CourseFeedbackExporter()
    pages = []
    for n in range(3):
        nb = _graded_notebook()
        nb.metadata["widgets"] = {"state": {f"trainee-{n}": "x" * 1000}}
        resources = {"nbgrader": {"notebook": "m1", "score": 1, "max_score": 2, "late_penalty": 0},
                     "metadata": {"name": "module1", "path": f"/course/feedback/t{n}/module1"}}
        pages.append(exporter.from_notebook_node(nb, resources)[0])
    assert all("lesson code" in page for page in pages)
    assert not exporter._nb_metadata


def test_an_image_without_alt_text_still_gets_nbconverts_placeholder():
    nb = _graded_notebook()
    nb.cells[0].source = '<img src="chart.png">'
    page, _ = CourseFeedbackExporter().from_notebook_node(
        nb, {"nbgrader": {"notebook": "m1", "score": 0, "max_score": 2, "late_penalty": 0}})
    placeholder = 'alt="No description has been provided for this image"'
    plain, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert placeholder in plain  # what nbconvert itself does, which the course's page keeps
    assert placeholder in page


def test_long_texts_are_rendered_but_never_kept():
    calls: list[str] = []

    @kept_renderings
    def render(text: str) -> str:
        calls.append(text)
        return text.upper()

    short, long = "a" * 10, "b" * (LONGEST_KEPT + 1)
    assert [render(short), render(short), render(long), render(long)] == [short.upper()] * 2 + [long.upper()] * 2
    assert calls == [short, long, long]
    assert render.cache_info().currsize == 1  # type: ignore[attr-defined]


def test_a_kept_answer_is_still_escaped_each_time_it_is_shown():
    answer = "<script>alert(1)</script> **fine**"
    assert clean_answer_html(answer) == clean_answer_html(answer)
    assert "<script>" not in clean_answer_html(answer)
