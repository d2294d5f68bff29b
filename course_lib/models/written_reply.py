"""Content model of the written reply: free text judged sentence by sentence against a rubric.

The rubric is data: what a good reply does (criteria, each with the cues that
show it in a sentence), the sentences that pass the problem on (deflection),
the words that turn a cue around (negation), and harmful phrases that cap the
score. The scorer (``scoring.written_reply``) only applies it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ExerciseBase, ExerciseId, RegexPattern, Strict, Text, require_unique

__all__ = [
    "MAX_CHARS_CAP",
    "Criterion",
    "Deflection",
    "Harmful",
    "LengthLimits",
    "Negation",
    "SentenceCue",
    "Together",
    "WordList",
    "WrittenReplyExercise",
]

# The longest reply any exercise may allow; the widget and the parser use the exercise's own max_chars.
MAX_CHARS_CAP = 20_000


Pattern = RegexPattern
Patterns = Annotated[list[Pattern], Field(min_length=1)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Together(Strict):
    """A second cue a criterion also needs, in the same sentence or one of the next ``reach`` sentences."""

    patterns: Patterns
    reach: Annotated[int, Field(ge=0, le=3)] = 1
    missing: Text = Field(description="Shown when the criterion's own cue is there but this one is not.")


class Criterion(Strict):
    """Something a good reply does, shown by a cue (regular expression, any case) in one sentence.

    A cue counts only in a sentence that does not pass the problem on, that
    matches none of ``unless``, and where no negation comes just before it.
    """

    id: ExerciseId
    label: Text = Field(description="Short name of the criterion, for graders and reports.")
    points: Annotated[float, Field(gt=0)] = 1
    patterns: Patterns
    unless: list[Pattern] = Field(default=[], description="In the same sentence, these stop a cue counting.")
    together: Together | None = None
    examples: list[Text] = Field(
        default=[], description="Sentences that do it, in varied words: a reply's sentence that means the same "
                                "counts too, whatever its words (sentence embeddings, scoring.reply_reading).")
    met: Text = Field(description="Feedback when the reply does it, in plain words (never the matched words).")
    missed: Text = Field(description="Feedback when it does not.")
    hint: Text = Field(description="How to do it, shown after `missed`.")


class SentenceCue(Strict):
    """A kind of sentence that hurts a reply; ``said`` tells the trainee what their reply did."""

    id: ExerciseId
    said: Text
    patterns: Patterns
    unless: list[Pattern] = Field(default=[], description="In the same sentence, these mean it is not this cue.")
    examples: list[Text] = Field(default=[], description="Sentences of this kind, in varied words (see Criterion).")
    why: Text
    asks_customer: bool = Field(
        default=False, description="The cue is something the customer is asked to do: where the writer is the one "
                                   "who does it (\"I will check with our accounts team\") it does not count.")


class Harmful(SentenceCue):
    """A harmful phrase (blame, belittling, sarcasm): nothing in its sentence counts, and the reply keeps at
    most ``cap`` of the points."""

    cap: Fraction
    discounted: Text = Field(
        default="What came closest was in a sentence that hurts the reply (see below), so it does not count.",
        description="Added to a missed criterion whose cue was only in such a sentence.",
    )


class Deflection(Strict):
    """Sentences that pass the problem on: nothing in them counts, and the reply keeps at most ``cap``."""

    cap: Fraction = 0.5
    discounted: Text = Field(description="Added to a missed criterion whose cue was only in such a sentence.")
    cues: Annotated[list[SentenceCue], Field(min_length=1)]


class Negation(Strict):
    """Words that turn a cue around when they come at most ``window`` words before it in the same clause."""

    patterns: Patterns
    window: Annotated[int, Field(ge=1, le=10)] = 4
    not_negating: list[Pattern] = Field(default=[], description="Phrases with a negation that do not negate.")
    clause_breaks: Pattern = Field(default=r"[,;:]|\bbut\b|\bhowever\b",
                                   description="Where a clause ends: a negation before it does not reach past.")
    discounted: Text = Field(description="Added to a missed criterion whose cue was only negated.")


class WordList(Strict):
    """A "sentence" of at least ``min_words`` words in which under ``min_share`` are ``function_words``
    (I, the, to, will...) is a list of words, not a sentence: nothing in it counts."""

    function_words: Annotated[list[Text], Field(min_length=1)]
    min_words: Annotated[int, Field(ge=2, le=50)] = 6
    min_share: Fraction = 0.2
    said: Text = Field(description="What the reply did, shown when it has such a list.")
    discounted: Text = Field(description="Added to a missed criterion whose cue was only in such a list.")


class LengthLimits(Strict):
    min_words: Annotated[int, Field(ge=1)] = 60
    max_words: Annotated[int, Field(ge=1)] = 250
    outside_factor: Fraction = Field(
        default=0.5,
        description="Least share of the points kept when the reply is too short or too long (0: none); a reply "
                    "just outside the limits keeps words/min_words or max_words/words of them, if that is more.",
    )
    max_chars: Annotated[int, Field(ge=100, le=MAX_CHARS_CAP)] = Field(
        default=5000, description="Longest reply the widget saves (characters); longer files are refused."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LengthLimits:
        if self.min_words > self.max_words:
            raise ValueError(f"min_words ({self.min_words}) must not be above max_words ({self.max_words})")
        return self


class WrittenReplyExercise(ExerciseBase):
    """Reply in writing to an upset customer (Module 5, service recovery)."""

    type: Literal["written_reply"]
    scenario: Text = Field(description="The customer's message the trainee replies to.")
    customer: Text = "The customer"
    customer_names: list[Annotated[str, Field(min_length=2, pattern=r"^[^\W\d_][\w'-]*$")]] = Field(
        default=[], description="The names a reply may greet the customer by (surname, first name). A reply that "
                                "greets someone else by name (\"Dear Mr Thompson\") goes to the trainer: it may "
                                "be a reply to another complaint. Empty: not checked.")
    placeholder: str = ""
    length: LengthLimits = LengthLimits()
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    deflection: Deflection
    negation: Negation
    word_list: WordList
    harmful: list[Harmful] = []
    plain_examples: list[Text] = Field(
        default=[], description="Sentences that do none of the acts (facts, greetings, the story retold): a "
                                "sentence nearest to one of these does no act by meaning, however close its topic.")
    hand_rubric: list[Text] = Field(
        default=[], description="Criteria for the human grader's part, rendered by the graded notebook."
    )
    case_words: list[Pattern] = Field(
        default=[], description="What marks a sentence as about this customer's own case (the refund, the calls): "
                                "a reply of short sentences none of which mentions it is stock sentences.")

    @model_validator(mode="after")
    def _unique_ids(self) -> WrittenReplyExercise:
        ids = [c.id for c in self.criteria] + [d.id for d in self.deflection.cues] + [h.id for h in self.harmful]
        require_unique(ids, "criterion, deflection and harmful ids")
        return self

    @property
    def max_points(self) -> float:
        """The sum of the criteria's points."""
        return float(sum(c.points for c in self.criteria))
