"""Module 4's lesson, the standards file and the role-play ask for the same greeting."""

from __future__ import annotations

import json

import yaml

from course_lib.models import PACKAGED_CONTENT, load_exercise
from tests.conftest import ROOT


def test_lesson_standards_and_role_play_all_want_organisation_department_and_name():
    greeting = yaml.safe_load((PACKAGED_CONTENT / "standards.yaml").read_text(encoding="utf-8"))["phone"]["greeting"]
    assert all(part in greeting for part in ("{organisation}", "{department}", "{name}"))
    roleplay = load_exercise("m4-phone-roleplay")
    (identify,) = [s for s in roleplay.standards if s.id == "identify_yourself"]
    assert "organisation, department and your name" in identify.description
    notebook = json.loads((ROOT / "notebooks" / "04_phone_email_etiquette.ipynb").read_text(encoding="utf-8"))
    lesson = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    bullet = next(line for line in lesson.split("\n- ") if line.startswith("**Say who you are.**"))
    assert all(word in bullet for word in ("organisation's name", "department", "your own name"))
