"""nbgrader configuration for the Customer Service Workbook.

solutions/  is the instructor's source; exercises/ is the generated release.
Run nbgrader from this folder (the project's commands do).
"""

import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    Execute,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from course_lib.nbgrader_plugins import FEEDBACK_TEMPLATE_DIRS, TrustedWidgetScores, protected_answer_files

c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded

# nbgrader runs `alembic` by name when it first builds gradebook.db. Put this
# interpreter's bin/ first on PATH so it is found even in a shell where the
# project's environment is not activated (otherwise a half-built db is left).
_bindir = os.path.dirname(sys.executable)
if _bindir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bindir + os.pathsep + os.environ.get("PATH", "")

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "customer-service"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# The default "solution" would sit confusingly beside "solutions/".
c.CourseDirectory.solution_directory = "instructor-solutions"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
# The exchange folder for release/fetch/submit/collect: nbgrader's default
# (/usr/local/share/nbgrader/exchange) unless COURSE_EXCHANGE names another,
# e.g. a shared drive; `--Exchange.root=...` on a command still wins.
if os.environ.get("COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_EXCHANGE"]

# Widget answers live in answers/<exercise-id>.json beside each notebook. Those
# files must never be replaced by instructor copies at autograde.
c.Autograde.exclude_overwriting = protected_answer_files(
    os.path.join(c.CourseDirectory.root, c.CourseDirectory.source_directory)
)

# Re-score widget exercises in the grader's process, after execution and
# before the grades are saved.
c.Autograde.autograde_preprocessors = [
    Execute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedWidgetScores,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.Execute.timeout = 120
# Stop each kernel at once when its notebook has run: every output is already
# collected, and a graceful shutdown costs ~0.3 s of CPU and wall time per notebook.
c.Execute.shutdown_kernel = "immediate"

# Feedback: hide hidden tests and sanitize any HTML a trainee produced.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
c.HTMLExporter.sanitize_html = True
# nbgrader's feedback template skips sanitizing Markdown (written answers); ours does not.
c.HTMLExporter.extra_template_basedirs = FEEDBACK_TEMPLATE_DIRS
c.HTMLExporter.template_name = "course_feedback"
c.HTMLExporter.template_file = "course_feedback.html.j2"
c.ClearHiddenTests.enforce_metadata = False
