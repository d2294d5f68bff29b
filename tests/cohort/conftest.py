"""A small in-memory cohort for the export and report tests."""

from __future__ import annotations

import pytest

from course_lib.cohort.gradebook import Cohort, Exercise, Trainee


@pytest.fixture
def cohort() -> Cohort:
    exercises = [
        Exercise("module1", "module1", "m1-brainstorm", 5.0),
        Exercise("module1", "module1", "m1-reflection", 2.0),
        Exercise("module7", "module7", "m7-self-assessment", 5.0),
    ]
    trainees = [
        Trainee("ann", "Ann", "Lee"),
        Trainee("pat", "Pat", 'O\'Neil, "Jr"'),
        Trainee("eve", "=HYPERLINK(1)", "<script>x</script>"),
        Trainee("joe", "", ""),
    ]
    scores = {
        ("ann", "module1", "module1", "m1-brainstorm"): 5.0,
        ("ann", "module1", "module1", "m1-reflection"): None,  # waits for a human
        ("ann", "module7", "module7", "m7-self-assessment"): 4.0,
        ("pat", "module1", "module1", "m1-brainstorm"): 2.5,
        ("pat", "module1", "module1", "m1-reflection"): 1.0,
        ("eve", "module1", "module1", "m1-brainstorm"): 1 / 3,
        ("eve", "module1", "module1", "m1-reflection"): 0.0,
    }
    submitted = {("ann", "module1"), ("ann", "module7"), ("pat", "module1"), ("eve", "module1")}
    return Cohort(["module1", "module7"], exercises, trainees, scores, submitted)
