"""Sanitize HTML rendered from notebook Markdown before it is put in a page.

nbconvert's own ``clean_html`` allows so few tags (no headings, paragraphs or
tables) that bleach escapes the rest: a lesson's ``<h1>`` then shows as text.
These filters keep the formatting Markdown produces and make everything else
inert: unknown tags are escaped (shown as the text that was typed), and no
attribute that can run code (``on*``, ``style``) or URL scheme other than
http(s)/mailto survives.

Two strengths, registered as Jinja filters for the feedback and Formgrader
templates (see ``course_lib.nbgrader_html``):

- ``clean_lesson_html`` for the course's own Markdown: keeps heading ids and
  anchor links, images and classes;
- ``clean_answer_html`` for what a trainee wrote: no ids or classes (a trainee's
  ``id`` could shadow an element of the grading page's own script), no images
  (a remote image would tell a third party when the instructor reads it).
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import bleach
from markupsafe import Markup

from .render_cache import kept_renderings

__all__ = ["ANSWER_TAGS", "LESSON_TAGS", "clean_answer_html", "clean_lesson_html"]

# What Markdown renders to, and nothing that runs or embeds.
ANSWER_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip
LESSON_TAGS = ANSWER_TAGS | {"img", "figure", "figcaption"}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def _link_attribute(tag: str, name: str, value: str) -> bool:
    # Headings get an anchor link ("¶", class anchor-link) from nbconvert; keep
    # that class so the page's stylesheet can tuck it away.
    return name in ("href", "title") or (name == "class" and value == "anchor-link")


_ANSWER_ATTRIBUTES = {"a": _link_attribute, "abbr": ["title"], "td": ["align"], "th": ["align"], "ol": ["start"]}
_LESSON_ATTRIBUTES = {
    "*": ["id", "class"],
    "a": ["href", "title"],
    "abbr": ["title"],
    "td": ["align"],
    "th": ["align"],
    "ol": ["start"],
    "img": ["src", "alt", "title", "width", "height"],
}

_answer_cleaner = bleach.Cleaner(tags=ANSWER_TAGS, attributes=_ANSWER_ATTRIBUTES, protocols=PROTOCOLS)
_lesson_cleaner = bleach.Cleaner(tags=LESSON_TAGS, attributes=_LESSON_ATTRIBUTES, protocols=PROTOCOLS)


@kept_renderings  # the same lesson cells come back in every trainee's feedback page
def clean_lesson_html(html: str) -> Markup:
    """HTML of the course's own Markdown, safe to insert as is."""
    return Markup(_lesson_cleaner.clean(html))  # noqa: S704 - bleach just made it safe


class _Text(HTMLParser):
    """An HTML fragment's text (what a browser shows), without whitespace."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append("".join(data.split()))


def _text(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def _keeps_all_text(source: str, cleaned: str) -> bool:
    """Every character of the source's text appears, in order, in the cleaned text.

    Escaped tags only add text, so they pass; text the parser dropped fails.
    """
    shown = iter(_text(cleaned))
    return all(char in shown for char in _text(source))


@kept_renderings
def clean_answer_html(source: str) -> Markup:
    """HTML of a trainee's Markdown: formatting only, safe to insert as is.

    The HTML5 parser behind bleach drops text it cannot place (e.g. after an
    unclosed ``<table>``); a grader must still read every word the trainee
    wrote, so then the whole answer is shown as escaped text instead.
    """
    cleaned = _answer_cleaner.clean(source)
    if not _keeps_all_text(source, cleaned):
        return Markup(f'<pre class="answer-as-typed">{html.escape(source)}</pre>')  # noqa: S704 - escaped
    return Markup(cleaned)  # noqa: S704 - bleach just made it safe
