"""nbgrader plug-ins, configured in the project's ``nbgrader_config.py``.

``TrustedWidgetScores`` runs inside ``nbgrader autograde`` after the notebook
has executed. For every grade cell whose ``grade_id`` names an exercise, it
throws away what the trainee's kernel printed and writes the feedback and score
computed here, in the grader's own process, from the saved answers file. Code a
trainee ran in the notebook (say, redefining course_lib's scoring) therefore
cannot change the points recorded.

Each exercise is graded on its own: whatever goes wrong with one (an
unreadable file, a link, content that no longer loads) gives that exercise 0
with the reason in its cell, and the notebook's other exercises are graded as
usual. An answers file (or ``answers`` folder) that is a symbolic link in the
trainee's submission is refused without being read, and the copy of its
target that ``nbgrader autograde`` made in ``autograded/`` is deleted.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Unicode

from .grading import Graded, grade_saved, grade_unread
from .models import content_ids, exercise_ids
from .nbgrader_cells import REVIEW_KEY, graded_exercise_id, needs_review
from .store import DEFAULT_ANSWERS_DIR

__all__ = ["SaveAutoGradesWithReview", "TrustedWidgetScores", "protected_answer_files"]


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

    _coursedir: CourseDirectory | None = None

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        notebook_dir = Path(resources.get("metadata", {}).get("path") or ".")
        submission = self._submission_dir(resources)
        known = exercise_ids()
        for cell in nb.cells:
            exercise_id = graded_exercise_id(cell, known)
            if exercise_id is None:
                continue
            cell.metadata.get("course", {}).pop(REVIEW_KEY, None)
            try:
                points = float(cell.metadata["nbgrader"]["points"])
                score, text, review = self._rescore(exercise_id, points, notebook_dir, submission)
                if review:
                    cell.metadata.setdefault("course", {})[REVIEW_KEY] = review
            except Exception as exc:  # one exercise must never abort the trainee's notebook
                self.log.exception("Could not re-score %s; it scores 0", exercise_id)
                score = 0.0
                text = (f"{self.heading}:\nThis exercise ({exercise_id}) could not be graded "
                        f"({type(exc).__name__}: {str(exc)[:300]}), so it scores 0 for now. "
                        "Your instructor has been told.\nScore: 0")
            cell.outputs = _score_outputs(text, score, cell.get("execution_count"))
            self.log.info("Re-scored %s from its answers file: %s", exercise_id, score)
        return nb, resources

    def _rescore(self, exercise_id: str, points: float, notebook_dir: Path, submission: Path | None
                 ) -> tuple[float, str, str | None]:
        copy = notebook_dir / self.answers_dir / f"{exercise_id}.json"
        linked = self._link_in(submission, exercise_id) if submission else None
        graded: Graded
        if linked:
            # nbgrader copied the link's target into autograded/: delete that copy unread.
            if copy.is_file() and not copy.is_symlink():
                copy.unlink()
            graded = grade_unread(exercise_id, linked)
            self.log.warning("%s: %s", exercise_id, linked)
        else:
            # The copy under autograded/ is the grader's own: quarantining a
            # corrupt file there never touches the trainee's submission.
            graded = grade_saved(exercise_id, notebook_dir / self.answers_dir)
            if graded.problem:
                self.log.warning("%s: %s", exercise_id, graded.problem)
        score = graded.result.scaled(points)
        report = graded.report(cell_points=points, heading=f"{self.heading} ({graded.exercise.title}):")
        return score, report, graded.result.review

    def _submission_dir(self, resources: dict) -> Path | None:
        """The trainee's submitted folder this notebook was copied from (None outside autograde)."""
        info = resources.get("nbgrader", {})
        student, assignment = info.get("student"), info.get("assignment")
        if not student or not assignment:
            return None
        if self._coursedir is None:  # built once: a grading worker re-scores thousands of notebooks
            self._coursedir = CourseDirectory(config=self.config)
        coursedir = self._coursedir
        return Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))

    def _link_in(self, submission: Path, exercise_id: str) -> str | None:
        """Why the submission's answers for ``exercise_id`` are refused: a symbolic link (None: not one)."""
        folder = submission / self.answers_dir
        if folder.is_symlink():
            return (f"The {self.answers_dir}/ folder in your submission is a symbolic link, so its answers "
                    "were not read: answers count only from files saved in the submission itself.")
        if (folder / f"{exercise_id}.json").is_symlink():
            return (f"Your answers file {self.answers_dir}/{exercise_id}.json is a symbolic link, so it was "
                    "not read: answers count only from files saved in the submission itself.")
        return None


class SaveAutoGradesWithReview(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, except that a cell TrustedWidgetScores sent to the trainer gets no
    automatic score: it is left for manual grading in Formgrader (``needs_manual_grade``), as a written
    answer is, with the automatic suggestion and its reasons in the cell's output beside the answer."""

    def _add_score(self, cell: NotebookNode, resources: dict) -> None:
        super()._add_score(cell, resources)
        if needs_review(cell):
            grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                              self.assignment_id, self.student_id)
            grade.auto_score = None
            grade.needs_manual_grade = True
            self.gradebook.db.commit()


def _score_outputs(text: str, score: float, execution_count: int | None) -> list[NotebookNode]:
    """The stream and result outputs ``nbformat.v4.new_output`` makes, without its schema check of each one
    (about 0.6 ms apiece, on every graded cell): they are valid by construction, and the whole notebook is
    validated when nbgrader writes it."""
    return [
        NotebookNode(output_type="stream", name="stdout", text=text + "\n"),
        NotebookNode(output_type="execute_result", metadata=NotebookNode(), data={"text/plain": repr(score)},
                     execution_count=execution_count),
    ]
