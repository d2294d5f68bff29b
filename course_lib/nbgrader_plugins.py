"""nbgrader plug-ins, configured in the project's ``nbgrader_config.py``.

``TrustedWidgetScores`` runs inside ``nbgrader autograde`` after the notebook
has executed. For every grade cell whose ``grade_id`` names an exercise, it
throws away what the trainee's kernel printed and writes the feedback and score
computed here, in the grader's own process, from the saved answers file. Code a
trainee ran in the notebook (say, redefining course_lib's scoring) therefore
cannot change the points recorded.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from .grading import grade_saved
from .models import content_ids, find_exercise_file
from .store import DEFAULT_ANSWERS_DIR

__all__ = ["TrustedWidgetScores", "protected_answer_files"]


def protected_answer_files(source_dir: Path | str, answers_dir: str = DEFAULT_ANSWERS_DIR) -> dict:
    """``Autograde.exclude_overwriting`` for every assignment in ``source_dir``.

    nbgrader matches these as exact paths (no globs), so list the answers file
    of every exercise for every assignment. The ids come from the content files'
    names, never their text: nbgrader_config.py calls this, and an exception
    there makes nbgrader skip the whole config (a broken content file is
    reported when the exercise is graded instead).
    """
    files = [f"{answers_dir}/{exercise_id}.json" for exercise_id in content_ids()]
    source = Path(source_dir)
    return {d.name: files for d in sorted(source.iterdir()) if d.is_dir()} if source.is_dir() else {}


class TrustedWidgetScores(NbGraderPreprocessor):
    """Re-score widget exercises from their answers files, outside the trainee's kernel."""

    answers_dir = Unicode(
        DEFAULT_ANSWERS_DIR,
        help=dedent(
            """
            Folder, relative to the notebook being graded, that holds the
            widget answers files (one <exercise-id>.json per exercise).
            """
        ),
    ).tag(config=True)

    heading = Unicode(
        "Score recorded by the grader from your saved answers",
        help="First line of the feedback written into each re-scored cell.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        notebook_dir = Path(resources.get("metadata", {}).get("path") or ".")
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            exercise_id = cell.metadata["nbgrader"].get("grade_id", "")
            if find_exercise_file(exercise_id) is None:
                continue
            points = float(cell.metadata["nbgrader"]["points"])
            # The copy under autograded/ is the grader's own: quarantining a
            # corrupt file there never touches the trainee's submission.
            graded = grade_saved(exercise_id, notebook_dir / self.answers_dir)
            score = graded.result.scaled(points)
            text = graded.report(cell_points=points, heading=f"{self.heading} ({graded.exercise.title}):")
            cell.outputs = [
                new_output("stream", name="stdout", text=text + "\n"),
                new_output(
                    "execute_result",
                    data={"text/plain": repr(score)},
                    execution_count=cell.get("execution_count"),
                ),
            ]
            self.log.info("Re-scored %s from its answers file: %s of %s", exercise_id, score, points)
        return nb, resources
