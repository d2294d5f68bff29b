"""The organisation's service standards as a lesson shows them: a table with the numbers filled in.

The standards themselves (the model of ``standards.yaml``, ``load_standards()``)
are :mod:`course_lib.models.standards`. Pure apart from ``show_standards``,
which imports ipywidgets only when called.
"""

from __future__ import annotations

import html
from typing import Any

from .models.standards import Standards, load_standards

__all__ = ["show_standards", "standards_html", "standards_rows"]

_SECTIONS = (
    ("Telephone", lambda s: s.phone.statements),
    ("Voice mail", lambda s: s.voice_mail.statements),
    ("E-mail", lambda s: s.email.statements),
    ("Website enquiries", lambda s: s.web_enquiries.statements),
    ("External customers", lambda s: s.external_customers),
    ("Internal customers", lambda s: s.internal_customers),
    ("Everyone, every day", lambda s: s.general),
)


def standards_rows(standards: Standards | None = None) -> list[tuple[str, str]]:
    """(section, statement) pairs with the organisation's numbers filled in."""
    standards = standards or load_standards()
    values = standards.placeholders()
    return [(section, text.format(**values)) for section, get in _SECTIONS for text in get(standards)]


def standards_html(standards: Standards | None = None) -> str:
    """The standards as an HTML table (every string escaped)."""
    standards = standards or load_standards()
    listed = standards_rows(standards)
    rows, last = [], None
    for section, text in listed:
        head = ""
        if section != last:  # one header cell spans its section's rows (an empty header cell read as nothing)
            span = sum(1 for other, _text in listed if other == section)
            head = f"<th scope='rowgroup' rowspan='{span}'>{html.escape(section)}</th>"
        rows.append(f"<tr>{head}<td>{html.escape(text)}</td></tr>")
        last = section
    caption = html.escape(f"Service standards of {standards.organisation}, {standards.department}")
    return (
        "<table class='course-standards'>"
        f"<caption>{caption}</caption>"
        "<thead><tr><th scope='col'>Where</th><th scope='col'>Our standard</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def show_standards() -> Any:
    """An ipywidgets HTML table of the standards, for the Module 4 lesson."""
    import ipywidgets as w  # lazily: the grader imports this module without widgets

    table = w.HTML(standards_html())
    table.add_class("course-standards")
    return table
