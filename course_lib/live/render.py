"""HTML and charts for the live board, from the summaries of :mod:`course_lib.live.summaries`.

Each type's ``render`` piece in :mod:`course_lib.types` names one of the
``render_<type>`` functions below: ``(summary, *, show_names, reveal,
projector) -> (html, png or None, chart alt text)``.

Every piece of trainee or content text goes through ``html.escape``. Charts
come from :mod:`course_lib.live.bar_chart` (a kept figure redrawn with new
counts; the same data is not drawn twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..figures import png_data_uri
from ..types import exercise_type
from .bar_chart import bar_chart_png
from .summaries import OtherSummary, Summary
from .summaries.brainstorm import BrainstormSummary
from .summaries.choice import ChoiceSummary
from .summaries.classify import ClassifySummary
from .summaries.true_false import BandSummary

__all__ = ["BOARD_CSS", "Rendered", "bar_chart_png", "chart_alt", "chart_img", "classify_html", "flip_chart_html",
           "notes_html", "render", "render_bands", "render_brainstorm", "render_choice", "render_classify"]

Body = tuple[str, bytes | None, str]  # (html, chart PNG or None, the chart's alt text)

MAX_CARDS_PER_THEME = 40  # beyond this a theme column says "and N more"
MAX_NAMES = 12

BOARD_CSS = """<style>
.course-board-flipchart{display:flex;flex-wrap:wrap;gap:0.8em;align-items:flex-start}
.course-board-theme{flex:1 1 16em;max-width:26em;background:#fffdf2;border:2px solid #444;border-radius:6px;
  padding:0.5em}
.course-board-theme h4{margin:0 0 0.4em 0;font-size:1.1em}
.course-board-card{background:#fff;border:1px solid #888;border-radius:4px;margin:0.3em 0;padding:0.3em 0.5em;
  white-space:pre-wrap;overflow-wrap:anywhere}
.course-board-count{font-weight:bold;margin-left:0.4em}
.course-board-names{display:block;font-size:0.85em;color:#333}
.course-board-notes{color:#8a3b00;font-size:0.9em}
.course-board-bar{display:inline-block;height:0.9em;background:#2a5db0;vertical-align:middle;margin-right:0.4em}
.course-board-choice td{padding:0.15em 0.5em}
.course-board-classify{border-collapse:collapse}
.course-board-classify th,.course-board-classify td{padding:0.25em 0.6em;border-bottom:1px solid #bbb;text-align:left;
  vertical-align:top}
.course-board-classify td.course-board-item{max-width:32em;overflow-wrap:anywhere}
.course-board-classify td.course-board-right{background:#e3f2e1;font-weight:bold}
</style>"""


@dataclass(frozen=True)
class Rendered:
    """One refresh's output: the activity's HTML and an optional PNG chart."""

    headline: str  # plain text, e.g. "12 trainees took part"
    html: str
    chart: bytes | None
    notes_html: str
    chart_alt: str = ""  # the chart's numbers as text, for a screen reader


def chart_img(png: bytes, alt: str) -> str:
    """The chart as an ``<img>`` whose alt text (escaped) gives its numbers to a screen reader."""
    return (f'<img class="course-board-chart" src="{png_data_uri(png)}" alt="{escape(alt, quote=True)}" '
            'style="width: 100%; height: auto">')


def chart_alt(title: str, labels: tuple[str, ...], counts: tuple[int, ...]) -> str:
    """What a bar chart shows, in words: its title, then every bar's label and count."""
    bars = "; ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
    return f"Bar chart, {title}: {bars or 'no data yet'}."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def flip_chart_html(summary: BrainstormSummary, show_names: bool = False) -> str:
    """The brainstorm as theme columns of cards; names only when ``show_names``."""
    if not summary.groups:
        return "<p>No entries yet.</p>"
    columns = []
    for group in summary.groups:
        cards = []
        for card in group.cards[:MAX_CARDS_PER_THEME]:
            count = f'<span class="course-board-count">×{card.count}</span>' if card.count > 1 else ""
            names = ""
            if show_names:
                shown = ", ".join(escape(n) for n in card.names[:MAX_NAMES])
                more = f" and {len(card.names) - MAX_NAMES} more" if len(card.names) > MAX_NAMES else ""
                names = f'<span class="course-board-names">{shown}{more}</span>'
            cards.append(f'<div class="course-board-card">{escape(card.text)}{count}{names}</div>')
        extra = len(group.cards) - MAX_CARDS_PER_THEME
        if extra > 0:
            cards.append(f"<p>and {extra} more</p>")
        columns.append(
            f'<div class="course-board-theme"><h4>{escape(group.label)} ({len(group.cards)})</h4>{"".join(cards)}</div>'
        )
    return f'<div class="course-board-flipchart">{"".join(columns)}</div>'


def bands_html(summary: BandSummary) -> str:
    """The band distribution as a table of counts (no names exist to show)."""
    rows = "".join(f"<tr><td>{escape(label)}</td><td>{count}</td></tr>" for label, count in summary.bands)
    waiting = f"<p>{_plural(summary.in_progress, 'trainee')} still answering.</p>" if summary.in_progress else ""
    return f'<table class="course-board-choice"><tr><th>Band</th><th>Trainees</th></tr>{rows}</table>{waiting}'


def choice_html(summary: ChoiceSummary, reveal: bool = False) -> str:
    """Per question, how many picked each option; the right options marked only when ``reveal``."""
    parts = []
    for number, question in enumerate(summary.questions, start=1):
        rows = []
        for option in question.options:
            share = option.count / question.answered if question.answered else 0.0
            mark = " ✓" if reveal and option.correct else ""
            rows.append(
                f"<tr><td>{escape(option.text)}{mark}</td><td>"
                f'<span class="course-board-bar" style="width:{share * 12:.2f}em"></span>'
                f"{option.count}</td></tr>"
            )
        parts.append(
            f"<h4>{number}. {escape(question.text)} "
            f"<small>({_plural(question.answered, 'answer')})</small></h4>"
            f'<table class="course-board-choice">{"".join(rows)}</table>'
        )
    return "".join(parts)


def classify_html(summary: ClassifySummary, reveal: bool = False) -> str:
    """Items as rows, groups as columns, placements counted; the right group marked only when ``reveal``."""
    if not summary.participants:
        return "<p>No entries yet.</p>"
    head = "".join(f"<th>{escape(label)}</th>" for _group_id, label in summary.groups)
    rows = []
    for item in summary.items:
        cells = []
        for group_id, count in item.counts:
            share = count / item.placed if item.placed else 0.0
            right = reveal and group_id == item.correct_group
            mark = ' class="course-board-right"' if right else ""
            cells.append(
                f'<td{mark}><span class="course-board-bar" style="width:{share * 6:.2f}em"></span>{count}'
                f'{" ✓" if right else ""}</td>'
            )
        status = f"{item.placed - item.wrong} of {item.placed} right" if reveal else f"{item.placed} placed"
        rows.append(f'<tr><td class="course-board-item">{escape(item.text)}</td>{"".join(cells)}'
                    f"<td>{status}</td></tr>")
    return ('<p class="course-board-order">The items most often put in a wrong group come first.</p>'
            '<table class="course-board-classify">'
            f'<tr><th>Item</th>{head}<th></th></tr>{"".join(rows)}</table>')


def notes_html(notes: tuple[str, ...]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes[:20])
    more = f"<li>and {len(notes) - 20} more</li>" if len(notes) > 20 else ""
    return f'<ul class="course-board-notes">{items}{more}</ul>'


def render_brainstorm(summary: BrainstormSummary, *, show_names: bool = False, reveal: bool = False,
                      projector: bool = False) -> Body:
    """The flip chart, and a bar chart of entries per theme once someone took part."""
    body, chart, alt = flip_chart_html(summary, show_names), None, ""
    if summary.participants:
        labels, counts = zip(*summary.theme_counts, strict=True) if summary.theme_counts else ((), ())
        chart = bar_chart_png("Entries per theme", tuple(labels), tuple(counts), projector)
        alt = chart_alt("Entries per theme", tuple(labels), tuple(counts))
    return body, chart, alt


def render_bands(summary: BandSummary, *, show_names: bool = False, reveal: bool = False,
                 projector: bool = False) -> Body:
    """The band table, and a bar chart once one self-assessment is complete."""
    body, chart, alt = bands_html(summary), None, ""
    if summary.participants > summary.in_progress:
        labels, counts = zip(*summary.bands, strict=True)
        chart = bar_chart_png("Trainees per band (anonymous)", tuple(labels), tuple(counts), projector)
        alt = chart_alt("Trainees per band (anonymous)", tuple(labels), tuple(counts))
    return body, chart, alt


def render_choice(summary: ChoiceSummary, *, show_names: bool = False, reveal: bool = False,
                  projector: bool = False) -> Body:
    """Option counts per question (no chart)."""
    return choice_html(summary, reveal), None, ""


def render_classify(summary: ClassifySummary, *, show_names: bool = False, reveal: bool = False,
                    projector: bool = False) -> Body:
    """Placements per item and group (no chart)."""
    return classify_html(summary, reveal), None, ""


def render(summary: Summary, *, show_names: bool = False, reveal: bool = False, projector: bool = False) -> Rendered:
    """HTML (and a chart) for one activity's summary, by its type's ``render`` piece."""
    headline = f"{_plural(summary.participants, 'trainee')} took part"
    kind = summary.exercise.type
    render_type = None
    if not isinstance(summary, OtherSummary):  # a head count (or "cannot be shown yet") has no view of its own
        render_type = exercise_type(kind).load_render()
    if render_type is not None:
        body, chart, alt = render_type(summary, show_names=show_names, reveal=reveal, projector=projector)
    else:
        body, chart, alt = f"<p>The board has no chart for {escape(kind)} activities.</p>", None, ""
    title = f"<h3>{escape(summary.exercise.title)}</h3>"
    return Rendered(headline, BOARD_CSS + title + body, chart, notes_html(summary.notes), alt)
