"""Reaction surveys summarised for the board and the report: counts, means and texts, never who gave them.

The summary is built from answers alone (no entry, file name, trainee id or name goes in), and the free
texts are sorted alphabetically, so their order says nothing about who wrote which. Rendering escapes
every text a trainee typed.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..models.reaction import RATING_SCALE, ReactionExercise

__all__ = ["RatingSummary", "ReactionSummary", "reaction_alt", "reaction_html", "summarise_reactions"]


@dataclass(frozen=True)
class RatingSummary:
    rating_id: str
    text: str
    counts: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        total = self.answered
        return sum(n * c for n, c in zip(RATING_SCALE, self.counts, strict=True)) / total if total else None


@dataclass(frozen=True)
class ReactionSummary:
    exercise_id: str
    title: str
    module: str
    responses: int
    ratings: tuple[RatingSummary, ...]
    texts: tuple[str, ...]
    free_text: str


def summarise_reactions(exercise: ReactionExercise, answers: Iterable[dict[str, Any]]) -> ReactionSummary:
    """The room's answers to one survey (answers already parsed by ``scoring.reaction.parse_answer``)."""
    answers = [a for a in answers if a["ratings"] or a["text"]]
    ratings = tuple(
        RatingSummary(r.id, r.text, tuple(sum(a["ratings"].get(r.id) == n for a in answers) for n in RATING_SCALE))
        for r in exercise.ratings)
    texts = tuple(sorted((a["text"] for a in answers if a["text"]), key=str.casefold))
    return ReactionSummary(exercise.id, exercise.title, exercise.module, len(answers), ratings, texts,
                           exercise.free_text)


def reaction_alt(summary: ReactionSummary) -> str:
    """The summary's numbers in words (a chart's alt text, a screen reader's version of the table)."""
    parts = [f"{r.text} mean {r.mean:.1f} of 5 from {r.answered}" if r.mean is not None else f"{r.text} no ratings"
             for r in summary.ratings]
    return f"{summary.title}: {summary.responses} response(s). " + "; ".join(parts) + "."


def reaction_html(summary: ReactionSummary, *, max_texts: int = 30) -> str:
    """A table of ratings (how many gave each score, the mean) and the free texts, all escaped."""
    esc = html.escape
    head = "".join(f"<th scope='col'>{n}</th>" for n in RATING_SCALE)
    rows = "".join(
        f"<tr><th scope='row'>{esc(r.text)}</th>" + "".join(f"<td>{c}</td>" for c in r.counts)
        + f"<td>{'' if r.mean is None else f'{r.mean:.1f}'}</td><td>{r.answered}</td></tr>"
        for r in summary.ratings)
    table = (f"<table class='reaction'><caption>{esc(summary.title)}: {summary.responses} response(s)</caption>"
             f"<tr><th scope='col'>rating (1 low, 5 high)</th>{head}<th scope='col'>mean</th>"
             f"<th scope='col'>answers</th></tr>{rows}</table>")
    shown = summary.texts[:max_texts]
    more = (f"<p>{len(summary.texts) - len(shown)} more not shown.</p>" if len(summary.texts) > len(shown) else "")
    texts = ("<p><b>" + esc(summary.free_text) + "</b></p><ul class='reaction-texts'>"
             + "".join(f"<li>{esc(t)}</li>" for t in shown) + "</ul>" + more) if shown else ""
    return table + texts
