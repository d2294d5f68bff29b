"""The documentation site (docs/): it builds with warnings as errors, its internal links resolve, and its
reference lists every `course` / `course-board` option and every setting of the course's nbgrader plug-ins.

One build per test session (about 10 s on the 2-core machine), into a temporary folder.
"""

from __future__ import annotations

import argparse
import html
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# The docs tools come with the test extra; locally a bare install may lack them, but CI must build the site.
if os.environ.get("CI") != "true":
    for _module in ("sphinx", "sphinxarg", "autodoc_traits", "myst_nb", "pydata_sphinx_theme"):
        pytest.importorskip(_module)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs-html")
    doctrees = tmp_path_factory.mktemp("docs-doctrees")
    # -W: warnings are errors; -n: every cross-reference must resolve; the same command as the contributors' guide.
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html", "-d", str(doctrees),
         str(DOCS), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stdout}\n{run.stderr}"
    assert "WARNING" not in run.stderr, run.stderr
    return out


def _ids(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    broken = []
    # _static/ holds the theme's template macros, not pages
    pages = sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "_sources"))
    assert len(pages) >= 15
    ids = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r'\b(?:href|src)="([^"]+)"', text):
            target = html.unescape(target)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:")):
                continue
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
                continue
            if parts.fragment and path.suffix == ".html":
                if path not in ids:
                    ids[path] = _ids(path)
                if unquote(parts.fragment) not in ids[path]:
                    broken.append(f"{page.relative_to(site)} -> {target} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_the_guides_and_reference_pages_are_built(site: Path) -> None:
    for page in ["index", "catalogue", "trainees", "instructors", "facilitators", "administrators",
                 "authors/index", "authors/exercise-types", "reference/cli", "reference/plugins",
                 "reference/schema", "performance"]:
        assert (site / f"{page}.html").is_file(), page


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """Each option as sphinx-argparse writes it: its strings together, e.g. "-o, --output"."""
    return [", ".join(action.option_strings) for action in parser._actions
            if action.option_strings and "--help" not in action.option_strings]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _section(text: str, section_id: str) -> str:
    start = text.index(f'<section id="{section_id}"')
    depth, i = 0, start
    for match in re.finditer(r"<(/?)section\b", text[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            i = start + match.end()
            break
    return text[start:i]


def test_every_course_and_course_board_option_is_in_the_reference(site: Path) -> None:
    from course_lib.cli import build_parser
    from course_lib.live.serve import build_parser as board_parser

    text = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    missing = []
    course = build_parser()
    top = _section(text, "course")
    missing += [f"course {o}" for o in _options(course) if f"<kbd>{o}</kbd>" not in top]
    for name, sub in _subcommands(course).items():
        if f'<section id="course-{name}"' not in text:
            missing.append(f"course {name}")
            continue
        body = _section(text, f"course-{name}")
        missing += [f"course {name} {o}" for o in _options(sub) if f"<kbd>{o}</kbd>" not in body]
    board = _section(text, "course-board")
    missing += [f"course-board {o}" for o in _options(board_parser()) if f"<kbd>{o}</kbd>" not in board]
    assert not missing, "not in docs/reference/cli (rebuild or add them): " + ", ".join(missing)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9_]+", text)


def _configurable_classes() -> list[type]:
    """Every public traitlets class in course_lib with a configurable trait of its own (found from the source)."""
    from traitlets.config import Configurable

    found = []
    for path in sorted((ROOT / "course_lib").rglob("*.py")):
        if "config=True" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == module.__name__ and issubclass(cls, Configurable)
                    and not cls.__name__.startswith("_") and cls.class_own_traits(config=True)):
                found.append(cls)
    return found


def test_every_trait_of_the_plug_ins_is_in_the_reference_with_its_help(site: Path) -> None:
    page = " ".join(_words(re.sub(r"<[^>]+>", " ", html.unescape((site / "reference" / "plugins.html").read_text(
        encoding="utf-8")))))
    ids = _ids(site / "reference" / "plugins.html")
    classes = _configurable_classes()
    assert {c.__name__ for c in classes} >= {"TrustedWidgetScores", "ConfinedExecute", "CourseFeedbackExporter"}
    missing = []
    for cls in classes:
        for name in cls.class_traits(config=True):
            if f"{cls.__module__}.{cls.__name__}.{name}" not in ids:
                missing.append(f"{cls.__name__}.{name}")
        for name, trait in cls.class_own_traits(config=True).items():
            first_words = " ".join(_words(trait.help)[:6])
            if first_words and first_words not in page:
                missing.append(f"{cls.__name__}.{name} (help text)")
    assert not missing, "not in docs/reference/plugins (add the module to PLUGIN_MODULES in docs/conf.py): " + \
        ", ".join(missing)


def test_the_catalogue_shows_every_lesson_and_graded_exercise(site: Path) -> None:
    text = re.sub(r"<[^>]+>", "", (site / "catalogue.html").read_text(encoding="utf-8"))
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"notebooks/{notebook.name}" in text
    for assignment in sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()):
        assert assignment in text
    assert "By the end, a trainee can" in text and "minutes" in text
    # each notebook rendered as it is committed (myst-nb, nothing executed)
    for notebook in [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*/*.ipynb")]:
        page = site / "course" / notebook.relative_to(ROOT).with_suffix(".html")
        assert page.is_file(), page


def test_the_schema_page_lists_every_field_of_the_built_in_types(site: Path) -> None:
    from course_lib.models.schema import exercise_schema

    text = (site / "reference" / "schema.html").read_text(encoding="utf-8")
    cell = '<code class="docutils literal notranslate"><span class="pre">{}</span></code>'
    missing = [f"{name}.{field}" for name, spec in exercise_schema(builtin_only=True)["$defs"].items()
               for field in spec.get("properties", {}) if cell.format(field) not in text]
    assert not missing, missing


def test_the_performance_page_holds_the_measured_figures_with_script_date_and_machine(site: Path) -> None:
    text = (DOCS / "performance.md").read_text(encoding="utf-8")
    for script in ["grade_kernel_free.py", "board_refresh.py", "hub_spawn", "hub_board.py", "crash_soak"]:
        assert script in text, script
    assert "2026-11-30" in text and "2-core" in text
    for figure in ["10,000 trainees", "median 13.5 s", "0.15 to 0.28 s"]:
        assert figure in text, figure
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "2026-11-30" not in readme, "measured figures belong in docs/performance.md"


def test_the_readme_is_a_short_newcomers_page_pointing_into_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 120
    assert "python3 run.py start" in readme and "python3 run.py test" in readme
    for page in ["trainees", "instructors", "facilitators", "administrators", "authors/index", "performance"]:
        assert f"docs/{page}.md" in readme, page
        assert (DOCS / f"{page}.md").is_file(), page
    assert "sphinx-build" in readme
