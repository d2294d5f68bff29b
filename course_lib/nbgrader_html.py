"""The HTML pages nbgrader makes for the course: feedback and Formgrader's grading view.

``CourseFeedbackExporter`` is the exporter of ``nbgrader generate_feedback``
only (``c.GenerateFeedback.exporter_class``), so its template never reaches
Formgrader, which renders submissions with a plain ``HTMLExporter`` and its own
``formgrade`` template. Formgrader gets ``course_formgrade`` instead: nbgrader's
page with trainees' Markdown sanitized (nbgrader 0.9 inserts it unsanitized,
so a ``<script>`` in a reflection ran in the instructor's session).

Both templates use the filters of ``course_lib.safe_html``; see
``nbgrader_config.py`` for the settings.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
from bs4 import BeautifulSoup
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters import Highlight2HTML, clean_html
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import GetGrades
from pygments.formatters import HtmlFormatter
from traitlets import Bool, List, Unicode, default

from .grader.known_valid import KnownValid
from .render_cache import KEPT_RENDERINGS, LONGEST_KEPT, kept_renderings
from .safe_html import clean_answer_html, clean_lesson_html

__all__ = [
    "FORMGRADE_TEMPLATE",
    "NBGRADER_TEMPLATES",
    "TEMPLATE_DIRS",
    "TEMPLATE_FILTERS",
    "CourseFeedbackExporter",
    "EscapeSubmissionFields",
    "GradesWithStatus",
    "graded_parts",
    "points",
]

# Ours first, then nbgrader's own (feedback, formgrade), which ours extend.
NBGRADER_TEMPLATES = str(Path(utils.__file__).parent / "server_extensions" / "formgrader" / "templates")
TEMPLATE_DIRS = [str(Path(__file__).parent / "templates"), NBGRADER_TEMPLATES]
FORMGRADE_TEMPLATE = "course_formgrade"
# Filters the templates use, by import name (HTMLExporter.filters accepts these).
TEMPLATE_FILTERS = {
    "clean_lesson_html": "course_lib.safe_html.clean_lesson_html",
    "clean_answer_html": "course_lib.safe_html.clean_answer_html",
}

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKUP = re.compile(r"[*_`]+")


def points(value: Any) -> str:
    """2.5 -> "2.5", 5.0 -> "5", 1/3 -> "0.33"; None -> "0"."""
    number = round(float(value or 0), 2)
    return f"{number:g}" if number != int(number) else str(int(number))


def _label(cell: NotebookNode, heading: str) -> str:
    from .models import load_exercise
    from .nbgrader_cells import names_exercise

    grade_id = cell.metadata["nbgrader"].get("grade_id", "")
    if names_exercise(grade_id):
        return load_exercise(grade_id).title
    return heading or grade_id


def graded_parts(nb: NotebookNode) -> list[dict[str, Any]]:
    """Each graded cell of a notebook after nbgrader's GetGrades: label, score, points.

    A widget exercise is named by its title; any other graded cell by the last
    Markdown heading above it (the lesson's name for that part).
    """
    parts, heading = [], ""
    for cell in nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not nbgrader.get("solution"):
            found = _HEADING.findall(cell.source)
            heading = _MARKUP.sub("", found[-1]) if found else heading
        if not (nbgrader.get("grade") or nbgrader.get("task")):
            continue
        score, top = float(nbgrader.get("score") or 0), float(nbgrader.get("points") or 0)
        parts.append({
            "grade_id": nbgrader.get("grade_id", ""),
            "label": _label(cell, heading),
            "score": score,
            "points": top,
            "percent": round(100 * score / top) if top else 0,
            "written": cell.cell_type == "markdown" or bool(nbgrader.get("solution")),
            "awaiting": bool(nbgrader.get("awaiting_grade")),
        })  # fmt: skip
    return parts


class GradesWithStatus(GetGrades):
    """nbgrader's ``GetGrades`` that also marks each part still waiting for a hand grade (``awaiting_grade``).

    Until an instructor marks a written answer, the gradebook holds 0 for it; the feedback page then says
    "not marked yet" instead of "0 of 2 points", which a trainee would read as a fail.
    """

    def _get_score(self, cell: NotebookNode, resources: dict) -> None:
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        # Formgrader clears needs_manual_grade when a score is entered; a score set another way counts too.
        cell.metadata.nbgrader["awaiting_grade"] = bool(grade.needs_manual_grade) and grade.manual_score is None


class EscapeSubmissionFields(Preprocessor):
    """HTML-escape the trainee's id and name before Formgrader puts them in its page.

    nbgrader 0.9's formgrade template inserts ``resources.student``,
    ``first_name``, ``last_name`` and ``notebook_path`` unescaped (in the
    navigation bar), so a name such as ``<img src=x onerror=...>`` ran script
    in the instructor's session. Configured as an ``HTMLExporter`` preprocessor:
    Formgrader's exporter runs it on the resources it passes in.
    """

    fields = List(
        Unicode(),
        ["student", "first_name", "last_name", "notebook_path"],
        help="Top-level resources entries to escape (those Formgrader's template shows).",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for name in self.fields:
            if isinstance(resources.get(name), str):
                resources[name] = html.escape(resources[name], quote=True)
        return nb, resources


class _CachedHighlight:
    """``Highlight2HTML`` with each rendering kept: the same lesson code is highlighted once per process."""

    def __init__(self, highlight: Highlight2HTML) -> None:
        self._highlight = highlight
        self.render = kept_renderings(self._render)

    def _render(self, source: str, language: str | None, magics: str | None) -> str:
        # The only part of a cell's metadata the highlighter reads (nbconvert's _pygments_highlight).
        return str(self._highlight(source, language, {"magics_language": magics} if magics else None))

    def __call__(self, source: str, language: str | None = None, metadata: Any = None) -> str:
        magics = metadata.get("magics_language") if metadata else None
        return self.render(source, language, magics)


class CourseFeedbackExporter(HTMLExporter):
    """HTMLExporter for feedback pages: the course's template, sanitized, self-contained.

    The defaults below make the class work on its own; under nbgrader they must
    also be set in ``c.CourseFeedbackExporter`` (nbgrader_config.py), because
    GenerateFeedback configures every HTMLExporter with its own template and
    configuration beats a default.

    Fast for a large cohort (a grading worker renders thousands of pages):
    Markdown and code renderings are kept per exporter (``render_cache``),
    and the page is not re-parsed with BeautifulSoup unless it has an image
    (nbconvert's ``HTMLExporter`` re-parses every page to give images without
    alt text a placeholder; its other edits target JupyterLab's classes, which
    this classic-based template does not use).
    """

    @default("template_name")
    def _template_name_default(self) -> str:
        return "course_feedback"

    @default("template_file")
    def _template_file_default(self) -> str:
        return "course_feedback.html.j2"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return list(TEMPLATE_DIRS)

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        # The page's notebook is schema-checked once, after all the preprocessors, not after each one.
        return True

    sanitize_html = Bool(
        True,
        help="Sanitize HTML outputs as well as Markdown (always wanted for trainees' notebooks).",
    ).tag(config=True)

    organisation = Unicode(
        "",
        help="Name shown above each feedback page, e.g. the organisation running the course.",
    ).tag(config=True)

    keep_cell_renderings = Bool(
        True,
        help="Keep each distinct cell's HTML (with the page settings it depends on) for the exporter's life: a "
             "cohort's pages repeat the same lesson cells. Off: every cell is rendered afresh.",
    ).tag(config=True)

    def default_filters(self) -> Iterator[tuple[str, Callable[..., Any]]]:
        yield from super().default_filters()
        yield ("kept_cell_html", self.kept_cell_html)
        yield ("keep_cell_html", self.keep_cell_html)
        yield ("clean_html", _clean_html)  # nbconvert's, on every code cell's highlighted input: kept
        yield ("clean_lesson_html", clean_lesson_html)
        yield ("clean_answer_html", clean_answer_html)
        yield ("graded_parts", graded_parts)
        yield ("points", points)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._markdown = kept_renderings(self._render_markdown)
        self._highlighters: dict[str | None, _CachedHighlight] = {}
        self._cells: dict[tuple[str, str], str] = {}
        self._page: tuple[Any, str] | None = None
        self._last: tuple[Any, tuple[str, str] | None] = (None, None)
        self._widget_filter: WidgetsDataTypeFilter | None = None
        self._known_valid = KnownValid()

    # -- kept cell HTML (the template's any_cell block) ------------------------------------------------
    # What a cell's HTML depends on besides the cell: the notebook's metadata (code language, widget state)
    # and these page settings, read by nbconvert's and this template's cell blocks.
    _CELL_SETTINGS = ("global_content_filter", "should_sanitize_html", "should_not_encode_svg", "raw_mimetypes",
                      "output_mimetype")

    def _cell_key(self, context: Any, cell: Any) -> tuple[str, str] | None:
        if not self.keep_cell_renderings:
            return None
        resources, nb = context.get("resources", {}), context.get("nb")
        page = self._page
        if page is None or page[0] is not resources:  # once per page (the object is held: its id is not reused)
            settings = [resources.get(name) for name in self._CELL_SETTINGS]
            metadata = nb.metadata if nb is not None else None
            # The notebook's folder matters only to embedded images (markdown2html); it differs for every trainee.
            path = resources.get("metadata", {}).get("path") if self.embed_images else None
            page = self._page = (resources, json.dumps([metadata, settings, path], sort_keys=True, default=repr))
        text = json.dumps(cell, sort_keys=True, default=repr)
        return (page[1], text) if len(text) <= LONGEST_KEPT else None

    @pass_context
    def kept_cell_html(self, context: Any, cell: Any) -> str | None:
        """The HTML this exporter rendered for the same cell on a page with the same settings, or None."""
        self._last = (cell, self._cell_key(context, cell))
        key = self._last[1]
        return self._cells.get(key) if key is not None else None

    @pass_context
    def keep_cell_html(self, context: Any, cell: Any, rendered: str) -> str:
        """``rendered`` (the cell's HTML, just made), kept for the next page with the same cell."""
        key = self._last[1] if self._last[0] is cell else self._cell_key(context, cell)
        if key is not None:
            if len(self._cells) >= KEPT_RENDERINGS:
                self._cells.clear()  # bounded: a cohort's distinct cells are refilled at once
            self._cells[key] = str(rendered)
        return str(rendered)

    def _render_markdown(self, source: str, path: str) -> str:
        return str(HTMLExporter.markdown2html(self, {"resources": {"metadata": {"path": path}}}, source))

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        """nbconvert's filter; a cell without attachments is rendered once per distinct source."""
        if context.get("cell", {}).get("attachments"):
            return str(HTMLExporter.markdown2html(self, context, source))
        path = context.get("resources", {}).get("metadata", {}).get("path", "") if self.embed_images else ""
        return self._markdown(source, path)

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """``HTMLExporter.from_notebook_node`` with kept code renderings, re-parsing only pages with images."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        if lexer not in self._highlighters:
            self._highlighters[lexer] = _CachedHighlight(Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", self.filters.get("highlight_code", self._highlighters[lexer]))
        self.register_filter("filter_data_type", self._data_type_filter(resources))
        try:
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        finally:
            self._page, self._last = None, (None, None)  # nothing of the page is held after it
        # nbconvert keeps every exported notebook's metadata by path (for the widget filter of the page being
        # rendered): a grading worker's exporter renders tens of thousands of pages, so drop it once rendered.
        self._nb_metadata.clear()
        return (_with_alt_text(page) if "<img" in page else page), resources

    def _data_type_filter(self, resources: dict[str, Any]) -> WidgetsDataTypeFilter:
        """nbconvert's widget filter for this page: made once (a configurable costs more than the page's use of
        it), then pointed at each page's notebook as its constructor would."""
        made = self._widget_filter
        if made is None or made.metadata is not self._nb_metadata:
            made = self._widget_filter = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        page = resources.get("metadata", {})
        made.notebook_path = os.path.join(page.get("path", ""), page.get("name", ""))
        return made

    def _validate_preprocessor(self, nbc: NotebookNode, preprocessor: Any) -> None:
        """nbconvert's check after each step (``nbformat.validate``, relaxed), each valid cell checked once."""
        try:
            self._known_valid.validate(nbc, relax_add_props=True)
        except nbformat.ValidationError:
            self.log.error("Notebook is invalid after preprocessor %s", preprocessor)
            raise

    def _create_environment(self) -> Any:
        environment = super()._create_environment()
        # Each template is read once per exporter: with Jinja's default, every page of a cohort looked up the
        # modification time of all nine template files it extends or includes.
        environment.auto_reload = False
        return environment

    def _init_preprocessors(self) -> None:
        super()._init_preprocessors()
        # The classic template's conf.json adds a step that builds Pygments' style sheet into
        # resources.inlining on every page; this template's header never shows it (its own code colours are
        # course_highlight_css), so the step is switched off here rather than run for nothing.
        for step in self._preprocessors:
            if type(step) is CSSHTMLHeaderPreprocessor and self.template_file == "course_feedback.html.j2":
                step.enabled = False

    def _init_resources(self, resources: dict | None) -> dict:
        resources = super()._init_resources(resources)
        resources["organisation"] = self.organisation
        # Code colours inline, as nbconvert's own (CDN-free) Pygments styles.
        resources["course_highlight_css"] = _highlight_css()
        return resources


@kept_renderings
def _clean_html(html: str) -> str:
    return str(clean_html(html))


def _with_alt_text(page: str) -> str:
    """As nbconvert's HTMLExporter: an image without alt text gets a placeholder that says so."""
    soup = BeautifulSoup(page, features="html.parser")
    for image in soup.select("img:not([alt])"):
        image.attrs["alt"] = "No description has been provided for this image"
    return str(soup)


@lru_cache(maxsize=1)
def _highlight_css() -> str:
    return str(HtmlFormatter(style="default").get_style_defs(".highlight"))
