"""Content model of the classify exercise: put each item into one group."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique, unique_ids

__all__ = ["ClassifyExercise", "ClassifyItem", "Group"]


class Group(Strict):
    """A group items can be put into, e.g. 'Internal customer'."""

    id: ExerciseId
    label: Text


class ClassifyItem(Strict):
    """An item, the group it belongs to, and why."""

    id: ExerciseId
    text: Text
    group: ExerciseId
    feedback: Text = Field(description="Why the item belongs to its group; shown once the trainee places it.")


class ClassifyExercise(ExerciseBase):
    """Classify items into groups: one raw point per item in the right group."""

    type: Literal["classify"]
    groups: Annotated[list[Group], Field(min_length=2), unique_ids("group ids")]
    items: Annotated[list[ClassifyItem], Field(min_length=1)]

    @field_validator("items")
    @classmethod
    def _items_name_known_groups(cls, items: list[ClassifyItem], info: ValidationInfo) -> list[ClassifyItem]:
        require_unique([item.id for item in items], "item ids")
        groups = [group.id for group in info.data.get("groups", [])]
        for index, item in enumerate(items):
            if groups and item.group not in groups:
                raise ValueError(
                    f"items.{index}.group: '{item.group}' is not one of the groups ({', '.join(groups)})"
                )
        return items

    @property
    def max_points(self) -> float:
        """Raw rubric maximum: one point per item."""
        return float(len(self.items))

    def group_label(self, group_id: str) -> str:
        """The label of ``group_id`` (the id itself if there is no such group)."""
        return next((group.label for group in self.groups if group.id == group_id), group_id)
