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
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
)

from course_lib.grader.restore_cells import RestoreCheckCells
from course_lib.nbgrader_html import (
    FORMGRADE_TEMPLATE,
    TEMPLATE_DIRS,
    TEMPLATE_FILTERS,
    CourseFeedbackExporter,
    EscapeSubmissionFields,
    GradesWithStatus,
)
from course_lib.nbgrader_plugins import SaveAutoGradesWithReview, TrustedWidgetScores, protected_answer_files
from course_lib.sandbox import ConfinedExecute

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
# Collect as the instructor without following links a trainee put in a
# submission (nbgrader's copytree would copy e.g. /etc/shadow into submitted/).
c.ExchangeFactory.collect = "course_lib.nbgrader_exchange.SafeCollect"
# The exchange folder for release/fetch/submit/collect: nbgrader's default
# (/usr/local/share/nbgrader/exchange) unless the course server's own settings
# beside this file (course_server_config.py, written by deploy/server_setup.py,
# so an ordinary shell in the course folder finds the server's exchange) or
# COURSE_EXCHANGE name another; `--Exchange.root=...` on a command still wins.
# On a course hub that runs the exchange service (COURSE_EXCHANGE_SERVICE=1) the
# server's settings below, or COURSE_EXCHANGE_URL (set by the hub in Formgrader's
# and every server's environment), select its plug-in instead
# (course_lib/hub_exchange: identity from the hub token, not from uids).
_server_settings = os.path.join(c.CourseDirectory.root, "course_server_config.py")
if os.path.exists(_server_settings):
    load_subconfig(_server_settings)  # noqa: F821 - provided by traitlets when this file is loaded
if os.environ.get("COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_EXCHANGE"]
if os.environ.get("COURSE_EXCHANGE_URL"):
    from course_lib.hub_exchange.hub import use_exchange_service

    use_exchange_service(c, os.environ["COURSE_EXCHANGE_URL"])

# Widget answers live in answers/<exercise-id>.json beside each notebook. Those
# files must never be replaced by instructor copies at autograde.
c.Autograde.exclude_overwriting = protected_answer_files(
    os.path.join(c.CourseDirectory.root, c.CourseDirectory.source_directory)
)

# Re-score widget exercises in the grader's process, after execution and
# before the grades are saved.
# ConfinedExecute is nbgrader's Execute with the trainee's code confined: a
# fresh uid per notebook when grading as root, a throw-away copy, namespaces
# (course_lib/sandbox; `course grade` refuses to grade without it).
c.Autograde.autograde_preprocessors = [
    ConfinedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedWidgetScores,
    # SaveAutoGrades, except that an answer the scorer cannot judge is left for the trainer (needs manual grade).
    SaveAutoGradesWithReview,
    AssignLatePenalties,
    CheckCellMetadata,
]
# Before grading, nbgrader restores locked and graded cells from the gradebook
# (OverwriteCells); RestoreCheckCells also puts back a graded cell the trainee
# deleted, so a deleted check cell is scored from the answers file, not 0.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreCheckCells,
    CheckCellMetadata,
]
c.Execute.timeout = 120
# Stop each kernel at once when its notebook has run: every output is already
# collected, and a graceful shutdown costs ~0.3 s of CPU and wall time per notebook.
c.Execute.shutdown_kernel = "immediate"

# Feedback pages: hide hidden tests; the course's own exporter and template
# (self-contained, Markdown rendered and sanitized), for GenerateFeedback only.
c.GenerateFeedback.preprocessors = [GradesWithStatus, ClearHiddenTests]  # GetGrades + parts not marked yet
c.GenerateFeedback.exporter_class = CourseFeedbackExporter
# Class-specific settings: they win over the HTMLExporter ones below and over
# the 'feedback' template GenerateFeedback would otherwise set.
c.CourseFeedbackExporter.template_name = "course_feedback"
c.CourseFeedbackExporter.template_file = "course_feedback.html.j2"
c.CourseFeedbackExporter.extra_template_basedirs = TEMPLATE_DIRS
c.CourseFeedbackExporter.sanitize_html = True
# Formgrader renders a submission with a plain HTMLExporter and nbgrader's
# 'formgrade' template, which inserts trainees' Markdown unsanitized.
# course_formgrade is that template with the Markdown sanitized.
c.HTMLExporter.template_name = FORMGRADE_TEMPLATE
c.HTMLExporter.template_file = FORMGRADE_TEMPLATE + ".html.j2"
c.HTMLExporter.extra_template_basedirs = TEMPLATE_DIRS
c.HTMLExporter.filters = TEMPLATE_FILTERS
# Formgrader also shows the trainee's id and name unescaped: escape them first.
c.HTMLExporter.preprocessors = [EscapeSubmissionFields]
c.CourseFeedbackExporter.preprocessors = []
c.HTMLExporter.sanitize_html = True
c.ClearHiddenTests.enforce_metadata = False
# What a trainee finds in a written-answer cell of the release (nbgrader's
# default "YOUR ANSWER HERE" reads like content once the cell is rendered).
# Left unchanged, the cell still scores 0 without manual grading.
c.ClearSolutions.text_stub = (
    "*Double-click here and replace this text with your answer, then press Ctrl+Enter to show it formatted.*"
)
