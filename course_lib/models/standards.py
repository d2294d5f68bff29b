"""The organisation's service standards: the content model of ``standards.yaml`` and its loading.

``load_standards()`` reads the first ``standards.yaml`` on the content path (an
organisation overrides the packaged one through ``COURSE_CONTENT_PATH``);
``Standards.placeholders()`` gives the numbers and phrases that content text
uses with ``str.format`` (``"{rings_words}"`` -> ``"two rings"``). The role-play
model checks its text against :data:`PLACEHOLDER_NAMES` and keeps the standards
it was loaded with, so its scoring never reads the file again. The lesson's
table of the standards is :mod:`course_lib.standards`.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from . import STANDARDS_FILE, ContentError, content_dirs, describe_validation_error, find_content_file, load_yaml
from .base import Strict, Text

__all__ = [
    "GREETING_FIELDS",
    "PLACEHOLDER_NAMES",
    "STANDARDS_FILE",
    "Standards",
    "check_template",
    "load_standards",
    "number_words",
    "placeholders",
    "template_fields",
]

GREETING_FIELDS = frozenset({"organisation", "department", "name"})
PLACEHOLDER_NAMES = frozenset({
    "organisation", "department", "rings", "rings_words", "greeting",
    "voicemail_hours", "voicemail_away", "voicemail_greeting_mentions",
    "email_hours", "email_away", "out_of_office_mentions", "web_hours",
})
_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def number_words(count: int, noun: str) -> str:
    """'two rings', 'one ring', '14 rings'."""
    word = _NUMBERS[count] if 0 <= count < len(_NUMBERS) else str(count)
    return f"{word} {noun}" + ("" if count == 1 else "s")


def template_fields(text: str) -> set[str]:
    """The ``{names}`` a str.format template uses; ValueError when it is not a valid template."""
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def check_template(text: str, allowed: frozenset[str] = PLACEHOLDER_NAMES) -> str:
    """``text`` unchanged if every placeholder in it is known; a clear ValueError otherwise."""
    try:
        names = template_fields(text)
    except ValueError as exc:
        raise ValueError(f"not a valid text template ({exc}); write a literal brace as {{{{ or }}}}") from None
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        shown = ", ".join("{" + n + "}" for n in unknown)
        raise ValueError(f"unknown placeholder {shown}; known: {', '.join(sorted(allowed))}")
    return text


def _check_greeting(text: str) -> str:
    check_template(text, GREETING_FIELDS)
    if "name" not in template_fields(text):
        raise ValueError("the greeting must include {name}: callers should hear who answered")
    return text


Statement = Annotated[Text, AfterValidator(check_template)]
Statements = Annotated[list[Statement], Field(min_length=1)]
Hours = Annotated[int, Field(ge=1, le=240)]


class PhoneStandards(Strict):
    answer_within_rings: Annotated[int, Field(ge=1, le=10)] = 2
    greeting: Annotated[Text, AfterValidator(_check_greeting)]
    statements: Statements


class VoiceMailStandards(Strict):
    reply_within_business_hours: Hours = 24
    update_greeting_when_away: Text = "half a day or longer"
    greeting_mentions: Annotated[list[Text], Field(min_length=1)]
    statements: Statements


class EmailStandards(Strict):
    reply_within_business_hours: Hours = 24
    out_of_office_when_away: Text = "a full day or more"
    out_of_office_mentions: Annotated[list[Text], Field(min_length=1)]
    statements: Statements


class WebStandards(Strict):
    reply_within_business_hours: Hours = 24
    statements: Statements


class Standards(Strict):
    """The organisation's service standards (Module 4 etiquette, Module 2 customer groups)."""

    organisation: Text
    department: Text
    phone: PhoneStandards
    voice_mail: VoiceMailStandards
    email: EmailStandards
    web_enquiries: WebStandards
    external_customers: Statements
    internal_customers: Statements
    general: Statements

    def greeting_for(self, name: str) -> str:
        """The phone greeting as ``name`` would say it."""
        return self.phone.greeting.format(organisation=self.organisation, department=self.department, name=name)

    def placeholders(self) -> dict[str, Any]:
        """Values for ``str.format`` in content text: numbers, and the same numbers in words."""
        return {
            "organisation": self.organisation,
            "department": self.department,
            "rings": self.phone.answer_within_rings,
            "rings_words": number_words(self.phone.answer_within_rings, "ring"),
            "greeting": self.greeting_for("[your name]"),
            "voicemail_hours": self.voice_mail.reply_within_business_hours,
            "voicemail_away": self.voice_mail.update_greeting_when_away,
            "voicemail_greeting_mentions": _and_list(self.voice_mail.greeting_mentions),
            "email_hours": self.email.reply_within_business_hours,
            "email_away": self.email.out_of_office_when_away,
            "out_of_office_mentions": _and_list(self.email.out_of_office_mentions),
            "web_hours": self.web_enquiries.reply_within_business_hours,
        }


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int) -> Standards:
    try:
        return Standards.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {describe_validation_error(exc)}") from None


def load_standards() -> Standards:
    """The validated standards from the first ``standards.yaml`` on the content path."""
    path = find_content_file(STANDARDS_FILE)
    if path is None:
        folders = ", ".join(str(d) for d in content_dirs())
        raise ContentError(f"no '{STANDARDS_FILE}' in {folders}")
    return _load_cached(str(path), Path(path).stat().st_mtime_ns)


def placeholders() -> dict[str, Any]:
    """The current standards' placeholders, e.g. {"rings": 2, "rings_words": "two rings", ...}."""
    return load_standards().placeholders()
