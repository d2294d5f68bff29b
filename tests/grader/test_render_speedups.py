"""The shortcuts that make a large cohort's grading fast must not change what nbgrader decides or a page shows."""

from __future__ import annotations

import copy

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def _variant(nb: nbformat.NotebookNode, choice: tuple[int, int, bool, bool, str]) -> nbformat.NotebookNode:
    """A page of a cohort: the same lesson, this trainee's score, output, comment and notebook settings."""
    score, order, widget, other_language, output = choice
    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"  # as in a release: every trainee's copy has the same cell ids
    graded = nb.cells[2]
    graded.metadata["nbgrader"]["score"] = score
    graded.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb.cells[1].source = "total <- sum(1:3)  # kept"
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2, "version_minor": 0},
        "text/plain": "A widget"})]
    if order:
        nb.cells = [nb.cells[1], nb.cells[0], nb.cells[2]]  # the same cells in another place on the page
    if widget:  # the same output cell, shown as a widget only when the notebook saved the widget's state
        state = {"m": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                       "model_module_version": "2.0.0", "state": {}}}
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": state, "version_major": 2, "version_minor": 0}}
    if other_language:  # the same code, highlighted as R rather than Python
        nb.metadata["language_info"] = {"name": "r", "pygments_lexer": "r"}
    return nb


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.booleans(), st.booleans(),
                          st.sampled_from(["Well done.", "<b>Not yet</b>: try again", "Well done."])),
                min_size=2, max_size=6))
def test_kept_cell_html_gives_every_page_as_rendering_each_cell_afresh(pages):
    """A worker's exporter keeps each cell's HTML; any sequence of pages comes out as with nothing kept."""
    kept, afresh = CourseFeedbackExporter(), CourseFeedbackExporter(keep_cell_renderings=False)
    for choice in pages:
        nb = _variant(_graded_notebook(), choice)
        resources = {"nbgrader": {"notebook": "m1", "score": choice[0], "max_score": 2, "late_penalty": 0}}
        ours, _ = kept.from_notebook_node(copy.deepcopy(nb), copy.deepcopy(resources))
        theirs, _ = afresh.from_notebook_node(copy.deepcopy(nb), copy.deepcopy(resources))
        assert ours == theirs
    assert kept._cells and not afresh._cells


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["t1", "t2"])), min_size=2, max_size=5))
def test_widgets_show_on_each_page_as_with_a_fresh_exporter(pages):
    """One exporter renders many trainees' pages (its widget filter pointed at each page's notebook): each page
    shows its widgets exactly when its own notebook saved their state, as an exporter made for that page does."""
    kept = CourseFeedbackExporter(keep_cell_renderings=False)
    for widget, trainee in pages:
        nb = _variant(_graded_notebook(), (1, 0, widget, False, "Well done."))
        resources = {"nbgrader": {"notebook": "m1", "score": 1, "max_score": 2, "late_penalty": 0},
                     "metadata": {"name": "m1", "path": f"autograded/{trainee}/m1"}}
        ours, _ = kept.from_notebook_node(copy.deepcopy(nb), copy.deepcopy(resources))
        theirs, _ = CourseFeedbackExporter(keep_cell_renderings=False).from_notebook_node(
            copy.deepcopy(nb), copy.deepcopy(resources))
        assert ours == theirs
        assert ("Interactive widget: open the notebook" in ours) == widget
