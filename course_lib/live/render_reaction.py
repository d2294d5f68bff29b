"""The board's view of a reaction survey: the ratings table, the texts (escaped) and a chart of the means."""

from __future__ import annotations

from ..evaluation.reaction_summary import reaction_alt, reaction_html
from .render import bar_chart_png
from .summaries.reaction import ReactionBoardSummary

__all__ = ["render_reaction"]


def render_reaction(summary: ReactionBoardSummary, *, show_names: bool = False, reveal: bool = False,
                    projector: bool = False) -> tuple[str, bytes | None, str]:
    """Names are never shown, whatever ``show_names`` says: the survey is anonymous."""
    room = summary.room
    body = "<p>Anonymous: names are never shown for this survey.</p>" + reaction_html(room)
    rated = [r for r in room.ratings if r.mean is not None]
    if not rated:
        return body, None, ""
    # Counts per score, rating by rating: the board's bar chart draws counts (the means are in the table).
    labels = tuple(f"{r.text} {score}" for r in rated for score in range(1, 6))
    counts = tuple(count for r in rated for count in r.counts)
    chart = bar_chart_png("Answers per score (1 low, 5 high)", labels, counts, projector)
    return body, chart, reaction_alt(room)
