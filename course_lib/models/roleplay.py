"""Content model of the telephone role-play: a branching call scored against the organisation's standards."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, ValidationInfo, model_validator

from .base import ID_MAX_CHARS, ExerciseBase, Strict, Text, require_unique
from .standards import PLACEHOLDER_NAMES, Standards, check_template, load_standards

__all__ = ["CallNode", "CheckedStandard", "Choice", "RingFeedback", "RoleplayExercise"]


# Content text may use the standards' placeholders plus the trainee's role name.
ROLEPLAY_PLACEHOLDERS = PLACEHOLDER_NAMES | {"name", "caller"}


def _template(text: str) -> str:
    return check_template(text, ROLEPLAY_PLACEHOLDERS)


def _ring_template(text: str) -> str:
    return check_template(text, ROLEPLAY_PLACEHOLDERS | {"picked_up_at"})


Template = Annotated[Text, AfterValidator(_template)]
RingTemplate = Annotated[Text, AfterValidator(_ring_template)]
# Ids of nodes, choices and standards: lower case, digits, '-' and '_' (e.g. answer_promptly).
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=ID_MAX_CHARS)]


class CheckedStandard(Strict):
    """A phone standard the call checks, described with the organisation's numbers."""

    id: Key
    label: Text
    description: Template


class Choice(Strict):
    """One reply the trainee can give; ``next`` is the following node, or None when the call ends."""

    id: Key
    text: Template
    next: Key | None = None
    rings: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="Ring at which this reply picks up; scored against the standards file."
    )
    meets: list[Key] = []
    breaks: list[Key] = []
    feedback: Template | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Choice:
        both = sorted(set(self.meets) & set(self.breaks))
        if both:
            raise ValueError(f"a choice cannot both meet and break {', '.join(both)}")
        return self


class CallNode(Strict):
    """A moment in the call: what the caller says (or what happens), and the replies to pick from."""

    id: Key
    caller: Template
    choices: Annotated[list[Choice], Field(min_length=1)]


class RingFeedback(Strict):
    """Feedback for choices with ``rings``; ``{picked_up_at}`` is the choice's ring."""

    met: RingTemplate = "You picked up at ring {picked_up_at}."
    broken: RingTemplate = "You picked up at ring {picked_up_at}, later than the standard allows."


class RoleplayExercise(ExerciseBase):
    """A branching call: each path is scored per standard met or broken."""

    type: Literal["roleplay"]
    your_name: Text = Field(description="The name the trainee answers the phone with in the role-play.")
    caller_name: Text
    start: Key
    ring_standard: Key = Field(
        default="answer_promptly", description="The standard that choices with `rings` meet or break."
    )
    ring_feedback: RingFeedback = RingFeedback()
    standards: Annotated[list[CheckedStandard], Field(min_length=1)]
    nodes: Annotated[list[CallNode], Field(min_length=1)]
    call_ended: Template = "The call has ended."
    # The organisation's standards the call is scored against, fixed when the exercise is loaded.
    _organisation_standards: Standards | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _valid_graph(self) -> RoleplayExercise:
        standard_ids = [s.id for s in self.standards]
        _no_repeats("standard", standard_ids)
        _no_repeats("node", [n.id for n in self.nodes])
        nodes = self.node_map
        if self.start not in nodes:
            raise ValueError(f"start node '{self.start}' is not one of the nodes")
        if self.ring_standard not in standard_ids and any(c.rings for n in self.nodes for c in n.choices):
            raise ValueError(f"ring_standard '{self.ring_standard}' is not one of the standards")
        for node in self.nodes:
            _no_repeats(f"choice (in node '{node.id}')", [c.id for c in node.choices])
            for choice in node.choices:
                where = f"node '{node.id}' choice '{choice.id}'"
                if choice.next is not None and choice.next not in nodes:
                    raise ValueError(f"{where}: next node '{choice.next}' does not exist")
                unknown = sorted(set(choice.meets + choice.breaks) - set(standard_ids))
                if unknown:
                    raise ValueError(f"{where}: unknown standard {', '.join(unknown)}")
                if choice.rings is not None and self.ring_standard in choice.meets + choice.breaks:
                    raise ValueError(f"{where}: has rings, so '{self.ring_standard}' is scored from the standards")
        self._check_paths(nodes)
        return self

    @model_validator(mode="after")
    def _keep_standards(self, info: ValidationInfo) -> RoleplayExercise:
        # The standards come with the content (``context={"standards": ...}``) or from the content path now,
        # so scoring is a function of its arguments: a later COURSE_CONTENT_PATH does not change a score.
        given = (info.context or {}).get("standards")
        self._organisation_standards = given if given is not None else load_standards()
        return self

    @property
    def organisation_standards(self) -> Standards:
        """The organisation's standards (``standards.yaml``) this call is scored against."""
        assert self._organisation_standards is not None  # set by the validator above
        return self._organisation_standards

    def _check_paths(self, nodes: dict[str, CallNode]) -> None:
        # Depth-first walk from the start: a node met again on the current path is a cycle,
        # so every path ends; nodes never visited cannot be reached.
        visiting: list[str] = []
        done: set[str] = set()

        def visit(node_id: str) -> None:
            if node_id in visiting:
                loop = " -> ".join([*visiting[visiting.index(node_id):], node_id])
                raise ValueError(f"the call can go round in a loop: {loop}; every path must end")
            if node_id in done:
                return
            visiting.append(node_id)
            for choice in nodes[node_id].choices:
                if choice.next is not None:
                    visit(choice.next)
            visiting.pop()
            done.add(node_id)

        visit(self.start)
        unreachable = [n for n in nodes if n not in done]
        if unreachable:
            raise ValueError(f"node(s) {', '.join(unreachable)} cannot be reached from the start node")

    @property
    def node_map(self) -> dict[str, CallNode]:
        return {node.id: node for node in self.nodes}

    @property
    def max_points(self) -> float:
        """One point per checked standard."""
        return float(len(self.standards))


def _no_repeats(what: str, ids: list[str]) -> None:
    require_unique(ids, f"{what} ids")
