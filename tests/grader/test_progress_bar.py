"""The progress bar: counts, failures, and short output when stderr is a file."""

from __future__ import annotations

import io

from course_lib.grader.progress_bar import ProgressBar


def test_bar_counts_done_and_failed_items():
    stream = io.StringIO()
    bar = ProgressBar(4, "grading ", stream=stream, width=8)
    bar.start()
    bar.update()
    bar.update(failed=True)
    assert bar.line().startswith("grading [####....] 2/4  ok 1  failed 1")
    bar.update()
    bar.update()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("grading [........] 0/4")
    assert lines[-1].startswith("grading [########] 4/4  ok 3  failed 1")
    assert len(lines) == 2  # not a terminal: first and last line only (within 10 s)
