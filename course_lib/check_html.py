"""The self-check's feedback as HTML for JupyterLab: a heading, the score, lists with ✓/✗ marks.

Scoring writes feedback as plain lines (the grader shows them as text); their
indentation already says what belongs under what. Here those lines become
nested lists, so the same feedback reads as a short page instead of a
monospace wall. Every piece of text is escaped: answers are the trainee's own
typing. Pure Python (no widgets, no matplotlib): a chart, if any, comes in as
PNG bytes with its text alternative.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .figures import png_data_uri
from .grading import PRACTICE_LINE, Graded, shorten

__all__ = ["Figure", "feedback_html"]

# Inline styles only: JupyterLab keeps style attributes (not <style> elements)
# when it sanitizes the outputs of a notebook reopened untrusted.
_MARK_STYLE = {"✓": "color:#1a7f37;font-weight:bold", "✗": "color:#b3261e;font-weight:bold"}
_MARK_TITLE = {"✓": "counts", "✗": "does not count yet"}
_NUMBERED = re.compile(r"^(\d+)\.\s+")


@dataclass(frozen=True)
class Figure:
    """A chart to show with the feedback: PNG bytes and the text a screen reader reads instead."""

    png: bytes
    alt: str


@dataclass
class _Node:
    text: str
    children: list[_Node] = field(default_factory=list)


def _tree(lines: Iterable[str]) -> list[list[_Node]]:
    """Blocks (split at blank lines) of lines nested by their indentation."""
    blocks: list[list[_Node]] = [[]]
    stack: list[tuple[int, _Node]] = []
    for line in lines:
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            stack = []
            continue
        indent = len(line) - len(line.lstrip(" "))
        node = _Node(line.strip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else blocks[-1]).append(node)
        stack.append((indent, node))
    return [block for block in blocks if block]


def _marked(text: str) -> str:
    """``text`` escaped, with a leading ✓/✗ shown as a coloured mark."""
    mark = text[:1]
    if mark in _MARK_STYLE and text[1:2] == " ":
        return (f'<span style="{_MARK_STYLE[mark]}" title="{_MARK_TITLE[mark]}">{mark}</span> '
                f"{html.escape(text[2:].lstrip())}")
    return html.escape(text)


def _items(nodes: Sequence[_Node]) -> str:
    """Sibling lines as a list: numbered 1, 2, 3... lines as <ol>, '- ' bullets and others as <ul>."""
    numbers = [_NUMBERED.match(node.text) for node in nodes]
    ordered = all(numbers) and [int(m.group(1)) for m in numbers if m] == list(range(1, len(nodes) + 1))
    items = []
    for node in nodes:
        text = _NUMBERED.sub("", node.text, count=1) if ordered else node.text
        text = text[2:] if text.startswith("- ") else text
        items.append(f"<li>{_marked(text)}{_items(node.children) if node.children else ''}</li>")
    tag = "ol" if ordered else "ul"
    return f'<{tag} style="margin:0.2em 0 0.4em 0;padding-left:1.6em">{"".join(items)}</{tag}>'


def _block(nodes: list[_Node]) -> str:
    """Top-level lines: runs of ✓/✗ lines become one list; other lines are paragraphs with their lists."""
    parts: list[str] = []
    run: list[_Node] = []
    for node in nodes:
        if node.text[:2] in ("✓ ", "✗ ") or node.text.startswith("- "):
            run.append(node)
            continue
        if run:
            parts.append(_items(run))
            run = []
        text = _marked(node.text)
        if node.children and node.text.endswith(":"):
            text = f"<strong>{text}</strong>"
        parts.append(f'<p style="margin:0.5em 0 0.2em 0">{text}</p>')
        if node.children:
            parts.append(_items(node.children))
    if run:
        parts.append(_items(run))
    return "".join(parts)


def _answers(lines: Sequence[str]) -> str:
    """What was saved: a single line stays in view ("Attempt 2 of 3...", "Your answers: none"); a
    line with a list under it ("Your answers (6):") is folded away, since the widget above shows the
    answers and the feedback repeats what matters about each."""
    parts = []
    for block in _tree(shorten(list(lines))):
        for node in block:
            if node.children:
                parts.append(f"<details><summary>{html.escape(node.text.rstrip(':'))}</summary>"
                             f"{_items(node.children)}</details>")
            else:
                parts.append(f'<p style="margin:0.5em 0 0.2em 0">{html.escape(node.text)}</p>')
    return "".join(parts)


def _figure(figure: Figure) -> str:
    alt = html.escape(figure.alt, quote=True)
    return f'<p><img src="{png_data_uri(figure.png)}" alt="{alt}" style="max-width:100%;height:auto"></p>'


def feedback_html(graded: Graded, *, figures: Sequence[Figure] = ()) -> str:
    """The feedback of ``graded`` as one escaped HTML fragment (the score near the top)."""
    exercise, result = graded.exercise, graded.result
    when = f"Saved {graded.saved.saved_at.astimezone():%Y-%m-%d %H:%M}" if graded.saved else "Nothing saved yet"
    parts = [
        f'<section class="course-check" aria-label="{html.escape(f"Feedback: {exercise.title}", quote=True)}">',
        f'<h3 style="margin-top:0.2em">{html.escape(exercise.title)}</h3>',
        f'<p style="margin:0">{html.escape(when)}</p>',
    ]
    if graded.problem:
        parts.append(f'<p style="color:#b3261e"><strong>{html.escape(graded.problem)}</strong></p>')
    if graded.practice:  # a lesson: nothing is graded, so no score
        parts.append(f'<p style="margin:0.6em 0"><em>{html.escape(PRACTICE_LINE)}</em></p>')
    else:  # "Score: 4 of 6 points", or that the trainer will mark it
        line = graded.score_line(exercise.points)
        parts.append(f'<p style="font-size:1.15em;margin:0.6em 0"><strong>{html.escape(line)}</strong></p>')
    parts.append(_answers(result.answer_lines))
    parts += [_block(block) for block in _tree(shorten(list(result.feedback)))]
    parts += [_figure(figure) for figure in figures]
    parts.append("</section>")
    return "".join(parts)
