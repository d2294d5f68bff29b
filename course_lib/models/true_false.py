"""Content model of the True/False self-assessment (personal reflection, graded on completion)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique

__all__ = ["Band", "Statement", "StatementTheme", "TrueFalseExercise", "too_similar"]

# Statements at least this similar (0..1, character-based) are treated as the same statement.
NEAR_DUPLICATE = 0.85


def too_similar(a: str, b: str) -> bool:
    """True when two statements say the same thing in (nearly) the same words."""
    key_a, key_b = (" ".join(text.casefold().split()) for text in (a, b))
    if key_a == key_b:
        return True
    matcher = SequenceMatcher(None, key_a, key_b)
    # The two quick ratios are upper bounds of ratio(): most pairs are told apart without the slow one.
    return (matcher.real_quick_ratio() >= NEAR_DUPLICATE and matcher.quick_ratio() >= NEAR_DUPLICATE
            and matcher.ratio() >= NEAR_DUPLICATE)


class StatementTheme(Strict):
    """A theme the statements are grouped by in the feedback and the chart."""

    id: ExerciseId
    label: Text


class Statement(Strict):
    """One 'I ...' statement the trainee marks True or False about themselves."""

    id: ExerciseId
    text: Text
    theme: ExerciseId


class Band(Strict):
    """A result band: how many True answers it covers, and the advice that goes with it."""

    label: Text
    min_true: Annotated[int, Field(ge=0)]
    max_true: Annotated[int, Field(ge=0)]
    advice: Text


class TrueFalseExercise(ExerciseBase):
    """The self-assessment: statements, their themes, and result bands (data, not code)."""

    type: Literal["true_false"]
    themes: Annotated[list[StatementTheme], Field(min_length=1)]
    statements: Annotated[list[Statement], Field(min_length=1)]
    bands: Annotated[list[Band], Field(min_length=1)]

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, themes: list[StatementTheme]) -> list[StatementTheme]:
        require_unique([theme.id for theme in themes], "theme ids")
        require_unique([theme.label for theme in themes], "theme labels")
        return themes

    @field_validator("statements")
    @classmethod
    def _distinct_statements(cls, statements: list[Statement], info: ValidationInfo) -> list[Statement]:
        require_unique([statement.id for statement in statements], "statement ids")
        for i, first in enumerate(statements):
            for j in range(i + 1, len(statements)):
                if too_similar(first.text, statements[j].text):
                    raise ValueError(f"statements.{i} and statements.{j} say the same thing; write distinct ones")
        themes = [theme.id for theme in info.data.get("themes", [])]
        for index, statement in enumerate(statements):
            if themes and statement.theme not in themes:
                raise ValueError(
                    f"statements.{index}.theme: '{statement.theme}' is not one of the themes ({', '.join(themes)})"
                )
        return statements

    @field_validator("bands")
    @classmethod
    def _bands_cover_every_count(cls, bands: list[Band], info: ValidationInfo) -> list[Band]:
        statements = info.data.get("statements")
        if statements is None:
            return bands
        expected = 0
        for band in sorted(bands, key=lambda b: b.min_true):
            if band.max_true < band.min_true:
                raise ValueError(f"band '{band.label}': max_true {band.max_true} is below min_true {band.min_true}")
            if band.min_true != expected:
                problem = "overlaps the band before" if band.min_true < expected else "leaves a gap before"
                raise ValueError(
                    f"band '{band.label}' starts at {band.min_true} and {problem} it; "
                    f"bands must cover 0..{len(statements)} True answers with no gaps or overlaps"
                )
            expected = band.max_true + 1
        if expected != len(statements) + 1:
            raise ValueError(
                f"the highest band ends at {expected - 1}; bands must cover 0..{len(statements)} True answers "
                f"(one per statement) with no gaps or overlaps"
            )
        return bands

    @property
    def max_points(self) -> float:
        """Raw rubric maximum: one point per statement answered (completion, not 'right' answers)."""
        return float(len(self.statements))

    def theme_label(self, theme_id: str) -> str:
        return next((theme.label for theme in self.themes if theme.id == theme_id), theme_id)
