"""Project hygiene: dependencies in step, notebooks clean, code style, own words."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (requires-python allows it): the same parser from PyPI
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = sorted([*project["dependencies"], *project["optional-dependencies"]["test"]])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = sorted(r for r in pip_section if not r.startswith("-"))
    assert listed == wanted, "environment.yml and pyproject.toml disagree"
    assert any(r.endswith("-e .") for r in pip_section), "environment.yml must install the project itself"


def _notebooks():
    folders = ("notebooks", "solutions", "exercises")
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"cells {dirty} have outputs: clear them before committing"


@pytest.mark.parametrize(
    "lesson", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[1:], ids=lambda p: p.name
)
def test_lessons_can_be_projected_as_slides(lesson):
    cells = json.loads(lesson.read_text(encoding="utf-8"))["cells"]
    types = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
    assert None not in types, "every lesson cell needs slideshow metadata"
    assert types[0] == "slide" and types.count("slide") >= 4
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for heading in ("objectives", "summary", "try this at work"):
        assert heading in text.lower(), f"{lesson.name} has no '{heading}' section"


def test_code_is_ruff_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "course_lib", "tests", "run.py", "nbgrader_config.py", "benchmarks"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_library_type_checks_clean():
    """mypy with the [tool.mypy] settings of pyproject.toml finds no error in course_lib."""
    done = subprocess.run([sys.executable, "-m", "mypy", "course_lib"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_course_text_is_in_its_own_words():
    checker = SHARED / "tools" / "originality.py"
    if not checker.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{checker} is missing in CI")
        pytest.skip("the shared originality checker is not beside this clone")
    done = subprocess.run([sys.executable, str(checker), str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("0 copied passage(s) of 10+ words")
