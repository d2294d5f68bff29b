"""``evaluation.yaml``: how the course is evaluated, validated like every content file.

Checked when loaded: every question of the pre-test and of the post-test belongs to exactly one
module, and every module has items in both, so a gain can be computed for each module.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationError, field_validator

from ..models import ContentError, describe_validation_error, find_content_file, load_exercise, load_yaml
from ..models.base import ExerciseId, Strict, Text, require_unique
from ..models.choice import ChoiceExercise

__all__ = ["EVALUATION_FILE", "EvaluationSettings", "ModuleItems", "load_evaluation", "load_tests"]

EVALUATION_FILE = "evaluation.yaml"


class ModuleItems(Strict):
    """One module and the ids of its questions in the pre-test and in the post-test."""

    assignment: ExerciseId
    title: Text
    pre: Annotated[list[ExerciseId], Field(min_length=1)]
    post: Annotated[list[ExerciseId], Field(min_length=1)]


class EvaluationSettings(Strict):
    """The whole of evaluation.yaml."""

    course_title: Text
    issuer: Text
    pre_test: ExerciseId
    post_test: ExerciseId
    follow_up: ExerciseId
    modules: Annotated[list[ModuleItems], Field(min_length=1)]
    pass_percent: dict[ExerciseId, Annotated[float, Field(ge=0, le=100)]] = Field(
        description="Share of each assignment's points (percent) a trainee needs for the certificate."
    )

    @field_validator("modules")
    @classmethod
    def _unique_modules(cls, modules: list[ModuleItems]) -> list[ModuleItems]:
        require_unique([m.assignment for m in modules], "module assignments")
        require_unique([q for m in modules for q in m.pre], "pre-test question ids")
        require_unique([q for m in modules for q in m.post], "post-test question ids")
        return modules

    def module_of(self, question_id: str, *, post: bool) -> ModuleItems | None:
        return next((m for m in self.modules if question_id in (m.post if post else m.pre)), None)


def _check_against_tests(settings: EvaluationSettings, path: str) -> None:
    for field, test_id, post in (("pre_test", settings.pre_test, False), ("post_test", settings.post_test, True)):
        test = load_exercise(test_id)
        if not isinstance(test, ChoiceExercise):
            raise ContentError(f"{path}: field '{field}': '{test_id}' must be a choice exercise, not {test.type}")
        asked = [q.id for q in test.questions]
        listed = [q for m in settings.modules for q in (m.post if post else m.pre)]
        if unknown := sorted(set(listed) - set(asked)):
            raise ContentError(f"{path}: field 'modules': {test_id} has no question {', '.join(unknown)}")
        if unplaced := [q for q in asked if q not in listed]:
            raise ContentError(f"{path}: field 'modules': question(s) {', '.join(unplaced)} of {test_id} "
                               "belong to no module")


def load_evaluation() -> EvaluationSettings:
    """evaluation.yaml from the content path, checked against the pre- and post-test it names."""
    path = find_content_file(EVALUATION_FILE)
    if path is None:
        raise ContentError(f"no content file '{EVALUATION_FILE}' on the content path")
    try:
        settings = EvaluationSettings.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {describe_validation_error(exc)}") from None
    _check_against_tests(settings, str(path))
    return settings


def load_tests(settings: EvaluationSettings) -> tuple[ChoiceExercise, ChoiceExercise]:
    """The pre-test and the post-test that ``settings`` names (checked to be knowledge checks)."""
    pre, post = load_exercise(settings.pre_test), load_exercise(settings.post_test)
    if not isinstance(pre, ChoiceExercise) or not isinstance(post, ChoiceExercise):
        raise ContentError(f"{EVALUATION_FILE}: the pre- and post-test must be choice exercises")
    return pre, post
