"""Sphinx configuration of the course's documentation site.

Build it from the repository root (the one command):

    .venv/bin/sphinx-build -W --keep-going -n -b html docs docs/_build/html

Pages are MyST Markdown. Three pages are made from the code and the course
files at build time, into docs/_generated/ (not committed): the course
catalogue (lessons and graded exercises, nothing executed), the content
schema tables and the list of the course's nbgrader plug-ins.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import warnings
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
sys.path.insert(0, str(ROOT))

import course_lib  # noqa: E402

project = "Customer Service Workbook"
author = "The Customer Service Workbook authors"
copyright = "the Customer Service Workbook authors"
release = course_lib.__version__
version = release

extensions = [
    "myst_nb",  # MyST Markdown pages, and the course's notebooks shown as they are (nothing executed)
    "sphinx.ext.autodoc",
    "sphinxarg.ext",
    "autodoc_traits",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_merge_streams = True
exclude_patterns = ["_build", "_generated", "README.md"]
nitpicky = True
# Base classes and types from nbgrader, nbconvert and traitlets are not documented here.
nitpick_ignore_regex = [(r"py:.*", r"(nbgrader|nbconvert|traitlets|nbformat|pathlib|argparse|t)\..*")]
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = False
suppress_warnings = ["myst.header", "myst.domains"]

# autodoc-traits documents inherited nbconvert settings that have no help text, with a FutureWarning each.
warnings.filterwarnings("ignore", category=FutureWarning, module="autodoc_traits")

html_theme = "pydata_sphinx_theme"
html_title = "Customer Service Workbook"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []
html_show_sourcelink = False

# The modules whose traitlets classes nbgrader_config.py plugs into nbgrader (tests/test_docs.py
# checks that every class with a configurable trait anywhere in course_lib is listed here).
PLUGIN_MODULES = [
    "course_lib.nbgrader_plugins",
    "course_lib.nbgrader_exchange",
    "course_lib.hub_exchange.plugin",
    "course_lib.nbgrader_html",
    "course_lib.grader.restore_cells",
    "course_lib.sandbox.execute",
]


def plugin_classes() -> list[type]:
    """The public traitlets classes defined in PLUGIN_MODULES, in file order."""
    from traitlets.config import Configurable

    found = []
    for name in PLUGIN_MODULES:
        module = importlib.import_module(name)
        classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
                   if c.__module__ == name and issubclass(c, Configurable) and not c.__name__.startswith("_")]
        found += sorted(classes, key=lambda c: inspect.getsourcelines(c)[1])
    return found


def _plugins_page() -> str:
    lines = []
    for cls in plugin_classes():
        base = cls.__mro__[1]
        lines += [f"## {cls.__name__}", "",
                  f"`{cls.__module__}.{cls.__name__}`, based on nbgrader's or nbconvert's `{base.__name__}`.", ""]
        if not cls.class_own_traits(config=True):
            lines += ["It adds no settings of its own; those of its base class apply.", ""]
        own = ", ".join(cls.class_own_traits(config=True))
        lines += ["```{eval-rst}", f".. autoconfigurable:: {cls.__module__}.{cls.__name__}",
                  f"   :members: {own}" if own else "   :no-members:", "```", ""]
    return "\n".join(lines)


def _lesson_facts(path: Path) -> dict:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]) for c in cells]
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    title, subtitle = "", ""
    if markdown:
        head = markdown[0].strip().splitlines()
        title = head[0].lstrip("# ").strip()
        subtitle = next((line.strip() for line in head[1:] if line.strip()), "")
    objectives = []
    for text in markdown:
        if re.match(r"##\s+(Learning objectives|By the end)", text.strip()):
            objectives = re.findall(r"^\s*\d+\.\s+(.+(?:\n\s{3,}\S.*)*)", text, flags=re.M)
            objectives = [" ".join(o.split()) for o in objectives]
            break
    minutes = sum(int(m) for t in texts for m in re.findall(r"^Facilitator notes \(about (\d+) minutes?\)", t))
    ids = sorted({i for t in texts for i in re.findall(r"\b(?:show|check)\(\"([a-z0-9-]+)\"", t)})
    return {"title": title, "subtitle": subtitle.strip("*"), "objectives": objectives, "minutes": minutes,
            "ids": ids}


def _session_plan_page() -> str:
    lines = ["| module | lesson | live session | graded exercise |", "| --- | --- | --- | --- |"]
    total = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        facts = _lesson_facts(path)
        if not facts["minutes"]:
            continue
        total += facts["minutes"]
        number = path.name[:2]
        assignment = "action-plan" if number == "08" else f"module{int(number)}"
        graded = f"`exercises/{assignment}/`" if (ROOT / "exercises" / assignment).is_dir() else ""
        lines.append(f"| {facts['title']} | `notebooks/{path.name}` | about {facts['minutes']} min | {graded} |")
    lines.append(f"| **all modules** | | **about {total} min ({total / 60:.1f} h)** | |")
    return "\n".join(lines) + "\n"


def _content(exercise_id: str) -> dict:
    for path in (ROOT / "course_lib" / "content").glob(f"*/{exercise_id}.yaml"):
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    return {}


def _catalogue_page() -> str:
    lines = ["## Lessons", ""]
    total = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        facts = _lesson_facts(path)
        total += facts["minutes"]
        lines += [f"### {facts['title']}", ""]
        if facts["subtitle"]:
            lines += [f"*{facts['subtitle']}*", ""]
        lines += [f"- Notebook: `notebooks/{path.name}`"]
        if facts["minutes"]:
            lines += [f"- Live session: about {facts['minutes']} minutes (the sum of the facilitator notes' timings)"]
        activities = [i for i in facts["ids"] if _content(i)]
        if activities:
            lines += ["- Activities: " + "; ".join(
                f"{_content(i).get('title', i)} (`{i}`, {_content(i).get('type', '?')})" for i in activities)]
        lines += [""]
        if facts["objectives"]:
            lines += ["By the end, a trainee can:", ""] + [f"{n}. {o}" for n, o in
                                                             enumerate(facts["objectives"], 1)] + [""]
    lines[2:2] = [f"All lessons together take about {total} minutes of live session time, or about "
                  f"{total / 60:.1f} hours, not counting breaks and the graded exercises.", ""]
    lines += ["## Graded exercises", "",
              "Each assignment is one notebook in `exercises/<assignment>/`, released to trainees by nbgrader.", "",
              "| assignment | notebook title | exercises (type, points) |", "| --- | --- | --- |"]
    for path in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        facts = _lesson_facts(path)
        parts = []
        for i in facts["ids"]:
            data = _content(i)
            parts.append(f"{data.get('title', i)} (`{i}`: {data.get('type', '?')}, {data.get('points', '?')} pts)")
        lines.append(f"| `{path.parent.name}` | {facts['title']} | {'<br>'.join(parts)} |")
    lines.append("")
    return "\n".join(lines)


def _schema_page() -> str:
    from course_lib.models.schema import exercise_schema

    schema = exercise_schema(builtin_only=True)
    (GENERATED / "exercise.schema.json").write_text(json.dumps(schema, indent=1), encoding="utf-8")
    lines = []
    defs = schema.get("$defs", {})
    for name in sorted(defs):
        spec = defs[name]
        props = spec.get("properties", {})
        if not props:
            continue
        kind = props.get("type", {}).get("const")
        lines += [f"### {name}" + (f" (`type: {kind}`)" if kind else ""), ""]
        if spec.get("description"):
            lines += [" ".join(spec["description"].split()), ""]
        required = set(spec.get("required", []))
        lines += ["| field | required | kind | description |", "| --- | --- | --- | --- |"]
        for field, fspec in props.items():
            lines.append(f"| `{field}` | {'yes' if field in required else ''} | {_kind(fspec)} | "
                         f"{' '.join(fspec.get('description', '').split()).replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def _kind(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "const" in spec:
        return f"`{spec['const']}`"
    if "anyOf" in spec:
        return " or ".join(_kind(s) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_kind(spec.get('items', {}))}"
    return str(spec.get("type", "any"))


def _copy_notebooks() -> None:
    """The lessons and graded exercises, copied into docs/course/ (not committed) for myst-nb to render.

    The copy keeps the repository's layout, so the notebooks' links to each other resolve.
    """
    import shutil

    target = DOCS / "course"
    wanted = {p.relative_to(ROOT): p for p in [*sorted((ROOT / "notebooks").glob("*.ipynb")),
                                                *sorted((ROOT / "exercises").glob("*/*.ipynb"))]}
    for stale in target.rglob("*.ipynb") if target.exists() else []:
        if stale.relative_to(target) not in wanted:
            stale.unlink()
    for relative, source in wanted.items():
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    lessons = [r for r in wanted if r.parts[0] == "notebooks"]
    exercises = [r for r in wanted if r.parts[0] == "exercises"]
    (GENERATED / "notebook_toc.md").write_text(
        "```{toctree}\n:maxdepth: 1\n:caption: Lessons\n\n"
        + "\n".join(f"course/{r.with_suffix('').as_posix()}" for r in lessons)
        + "\n```\n\n```{toctree}\n:maxdepth: 1\n:caption: Graded exercises\n\n"
        + "\n".join(f"course/{r.with_suffix('').as_posix()}" for r in exercises) + "\n```\n", encoding="utf-8")


def generate() -> None:
    GENERATED.mkdir(exist_ok=True)
    _copy_notebooks()
    for name, make in [("catalogue.md", _catalogue_page), ("schema.md", _schema_page),
                       ("plugins.md", _plugins_page), ("session_plan.md", _session_plan_page)]:
        text = make()
        target = GENERATED / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


generate()
