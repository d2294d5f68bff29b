"""Learning (Kirkpatrick level 2): pre/post-test scores per module and the gain between them.

Definitions (unit-tested, and stated in the report):

* A test's score for a module is the sum of its questions' points (0..1 each, the knowledge check's
  own rule) over the module's questions in that test; the maximum is the number of those questions.
* A test with no question answered (nothing saved, or an empty answers file) counts as **not taken**:
  its scores are ``None``, never 0, so a skipped test does not look like a collapse in knowledge.
* ``gain = post - pre`` (in points), ``None`` when either test is missing.
* ``normalised_gain = (post - pre) / (max - pre)``: the share of the room to improve that was used.
  It is ``None`` when either test is missing, and when ``pre == max`` (no room left to improve: such
  trainees are counted as "at the ceiling" instead). It is negative when the post-test is lower.
* The cohort's normalised gain is Hake's class gain, ``(mean post - mean pre) / (max - mean pre)`` over
  the trainees who took both tests (``None`` when there are none, or their mean pre-score is the maximum):
  one trainee with a tiny room to improve cannot swing it the way an average of ratios could.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import mean

from ..models.choice import ChoiceExercise
from ..scoring.choice import question_points
from .settings import EvaluationSettings

__all__ = ["CohortModule", "ModuleGain", "StillWrong", "cohort_modules", "gain", "module_scores",
           "normalised_gain", "still_wrong", "trainee_gains"]


def gain(pre: float | None, post: float | None) -> float | None:
    """``post - pre``, or None when either test was not taken."""
    return None if pre is None or post is None else post - pre


def normalised_gain(pre: float | None, post: float | None, maximum: float) -> float | None:
    """``(post - pre) / (maximum - pre)``; None when a test is missing or ``pre`` is already the maximum."""
    if pre is None or post is None or not maximum > 0:
        return None
    if not 0 <= pre <= maximum or not 0 <= post <= maximum:
        raise ValueError(f"scores must lie in 0..{maximum:g}, got pre {pre:g} and post {post:g}")
    if pre >= maximum:
        return None
    return (post - pre) / (maximum - pre)


def module_scores(settings: EvaluationSettings, test: ChoiceExercise, answer: Mapping[str, list[str]] | None,
                  *, post: bool) -> dict[str, float] | None:
    """``{assignment: points}`` of one trainee's test, or None when the test was not taken (nothing answered)."""
    if not answer:
        return None
    questions = {q.id: q for q in test.questions}
    return {m.assignment: sum(question_points(questions[q], list(answer.get(q, [])))
                              for q in (m.post if post else m.pre))
            for m in settings.modules}


@dataclass(frozen=True)
class ModuleGain:
    """One trainee, one module."""

    assignment: str
    title: str
    pre: float | None
    post: float | None
    pre_max: float
    post_max: float

    @property
    def pre_share(self) -> float | None:
        return None if self.pre is None else self.pre / self.pre_max

    @property
    def post_share(self) -> float | None:
        return None if self.post is None else self.post / self.post_max

    @property
    def gain(self) -> float | None:
        """In shares of the module's points (the two tests may have different numbers of questions)."""
        return gain(self.pre_share, self.post_share)

    @property
    def normalised(self) -> float | None:
        return normalised_gain(self.pre_share, self.post_share, 1.0)


def trainee_gains(settings: EvaluationSettings, pre_test: ChoiceExercise, post_test: ChoiceExercise,
                  pre_answer: Mapping[str, list[str]] | None,
                  post_answer: Mapping[str, list[str]] | None) -> list[ModuleGain]:
    """The trainee's pre, post and gain for every module (scores None for a test not taken)."""
    pre = module_scores(settings, pre_test, pre_answer, post=False)
    post = module_scores(settings, post_test, post_answer, post=True)
    return [ModuleGain(m.assignment, m.title, None if pre is None else pre[m.assignment],
                       None if post is None else post[m.assignment],
                       float(len(m.pre)), float(len(m.post)))
            for m in settings.modules]


@dataclass
class CohortModule:
    """The cohort's results for one module, as shares of the module's points (0..1)."""

    assignment: str
    title: str
    pre: list[float] = field(default_factory=list)  # everyone who took the pre-test
    post: list[float] = field(default_factory=list)  # everyone who took the post-test
    pairs: list[tuple[float, float]] = field(default_factory=list)  # those who took both
    at_ceiling: int = 0  # took both, and the pre-test was already full marks

    @property
    def mean_gain(self) -> float | None:
        return mean(post - pre for pre, post in self.pairs) if self.pairs else None

    @property
    def class_gain(self) -> float | None:
        """Hake's gain of the class means (see the module docstring)."""
        if not self.pairs:
            return None
        return normalised_gain(mean(p for p, _ in self.pairs), mean(q for _, q in self.pairs), 1.0)


def cohort_modules(gains: Iterable[list[ModuleGain]]) -> list[CohortModule]:
    """Per module, the distributions and pairs over every trainee's ``trainee_gains``."""
    modules: dict[str, CohortModule] = {}
    for trainee in gains:
        for g in trainee:
            module = modules.setdefault(g.assignment, CohortModule(g.assignment, g.title))
            if g.pre_share is not None:
                module.pre.append(g.pre_share)
            if g.post_share is not None:
                module.post.append(g.post_share)
            if g.pre_share is not None and g.post_share is not None:
                module.pairs.append((g.pre_share, g.post_share))
                module.at_ceiling += g.pre_share >= 1
    return list(modules.values())


@dataclass(frozen=True)
class StillWrong:
    """A post-test question and how many of those who answered it got it wrong."""

    question_id: str
    text: str
    module_title: str
    wrong: int
    answered: int


def still_wrong(settings: EvaluationSettings, post_test: ChoiceExercise,
                answers: Iterable[Mapping[str, list[str]]], *, top: int = 5) -> list[StillWrong]:
    """The post-test questions most often not fully right, worst first (only questions someone got wrong)."""
    answers = list(answers)
    rows = []
    for question in post_test.questions:
        picks = [a[question.id] for a in answers if a.get(question.id)]
        wrong = sum(question_points(question, list(p)) < 1 for p in picks)
        if wrong:
            module = settings.module_of(question.id, post=True)
            rows.append(StillWrong(question.id, question.text, module.title if module else "", wrong, len(picks)))
    rows.sort(key=lambda r: (-r.wrong / r.answered, -r.wrong, r.question_id))
    return rows[:top]
