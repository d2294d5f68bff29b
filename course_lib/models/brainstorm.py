"""Content model of the brainstorm exercise."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ExerciseBase, ExerciseId, RegexPattern, Strict, Text, require_unique

__all__ = ["MAX_CHARS_CAP", "MAX_ITEMS_CAP", "BehaviourRule", "BrainstormExercise", "BrainstormLimits", "Theme"]

# The largest limits any brainstorm may set: the widget, the parser and the grader all rely on them.
MAX_ITEMS_CAP = 100
MAX_CHARS_CAP = 1000


Words = Annotated[list[Text], Field(min_length=1)]


class Theme(Strict):
    """A theme of good service, recognised by its keywords (word starts, any ending) or patterns (regexes)."""

    id: ExerciseId
    label: Text
    keywords: Words
    patterns: list[RegexPattern] = Field(
        default=[], description="Regular expressions (lower case text) for phrasings a keyword cannot catch."
    )
    suggestion: Text


class BehaviourRule(Strict):
    """What makes an entry read as one behaviour rather than a string of theme words.

    Not a behaviour: a run of more than ``max_keyword_run`` theme cues with
    only ``separators``, ``filler_words`` or punctuation between them
    ("friendly, fast and helpful service"), unless the entry has an action
    word of its own outside the cues and the run is at most
    ``max_keyword_run_after_action`` ("handling complaints calmly and fairly");
    or an entry with no linking word (the, to, my, when...) and no action word
    (a verb from ``action_words``, or a word ending in one of ``action_suffixes``
    that is not in ``not_actions``).
    """

    max_keyword_run: Annotated[int, Field(ge=1, le=10)] = 2
    max_keyword_run_after_action: Annotated[int, Field(ge=1, le=10)] = 3
    separators: Words
    filler_words: list[Text] = []
    linking_words: Words
    action_words: Words = Field(description="Verbs, as word starts: 'apologis' covers apologise, apologising.")
    action_suffixes: list[Text] = ["ing"]
    not_actions: list[Text] = Field(default=[], description="Words with an action suffix that are not actions.")

    @model_validator(mode="after")
    def _runs_ordered(self) -> BehaviourRule:
        if self.max_keyword_run_after_action < self.max_keyword_run:
            raise ValueError(f"max_keyword_run_after_action ({self.max_keyword_run_after_action}) must not be "
                             f"below max_keyword_run ({self.max_keyword_run})")
        return self


class BrainstormLimits(Strict):
    """How many entries the widget accepts, and how long each may be (the parser enforces the same)."""

    max_items: Annotated[int, Field(ge=1, le=MAX_ITEMS_CAP)] = 12
    max_chars: Annotated[int, Field(ge=10, le=MAX_CHARS_CAP)] = 200


class BrainstormRubric(Strict):
    min_words: Annotated[int, Field(ge=1, le=20)] = 3
    near_duplicate_similarity: Annotated[float, Field(gt=0, le=1)] = 0.6
    points_per_behaviour: Annotated[float, Field(gt=0)] = 1
    max_behaviour_points: Annotated[float, Field(gt=0)] = 5
    points_per_theme: Annotated[float, Field(gt=0)] = 1
    max_theme_points: Annotated[float, Field(gt=0)] = 5


class BrainstormFeedback(Strict):
    no_answers: Text
    too_short: Text
    not_a_behaviour: Text
    copied: Text = Field(
        default="This copies one of the examples or the question: put a behaviour of your own in your own words.",
        description="Shown for an entry that copies the exercise's examples, placeholder or prompt.")
    near_duplicate: Text
    all_themes: Text


class BrainstormExercise(ExerciseBase):
    """'Customer Service means...': list behaviours, scored on substance and themes."""

    type: Literal["brainstorm"]
    placeholder: str = ""
    examples: list[Text] = []
    limits: BrainstormLimits = BrainstormLimits()
    rubric: BrainstormRubric = BrainstormRubric()
    themes: Annotated[list[Theme], Field(min_length=1)]
    behaviour: BehaviourRule
    feedback: BrainstormFeedback

    @model_validator(mode="after")
    def _unique_theme_ids(self) -> BrainstormExercise:
        require_unique([theme.id for theme in self.themes], "theme ids")
        return self

    @property
    def max_points(self) -> float:
        """Raw rubric maximum, before scaling to the cell's points."""
        return self.rubric.max_behaviour_points + self.rubric.max_theme_points
