"""What every committed notebook must be for a trainee: clean on open, notes out of the way, a clear end."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))
RELEASES = sorted((ROOT / "exercises").glob("*/*.ipynb"))
EVERY = LESSONS + SOURCES + RELEASES


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.fixture(scope="module")
def kernel_language_info() -> dict:
    """What the python3 kernel tells JupyterLab when it connects (JupyterLab writes it into the notebook)."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        return client.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", EVERY, ids=_ids(EVERY))
def test_metadata_is_what_jupyterlab_writes_so_opening_does_not_modify(path, kernel_language_info):
    meta = _load(path)["metadata"]
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert meta["kernelspec"] == {"display_name": spec.display_name, "language": spec.language, "name": "python3"}
    committed = dict(meta["language_info"])
    running = dict(kernel_language_info)
    if committed.pop("version") != running.pop("version") and os.environ.get("CI") != "true":
        pytest.skip("this Python's version differs from the notebooks' language_info: JupyterLab will "
                    "mark them modified on open here (see docs/instructors.md)")
    assert committed == running


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_facilitator_notes_are_collapsed_labelled_speaker_notes(path):
    notes = [c for c in _load(path)["cells"] if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
    if path.name != "00_start.ipynb":
        assert notes, "a lesson has facilitator notes"
    for cell in notes:
        assert cell["cell_type"] == "markdown"
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, "collapse the notes for trainees"
        first_line = _source(cell).splitlines()[0]
        # the collapsed bar shows the first line as typed: it says what the cell is, without Markdown marks
        assert first_line.startswith("Facilitator notes") and "*" not in first_line and "#" not in first_line


@pytest.mark.parametrize("path", EVERY, ids=_ids(EVERY))
def test_every_notebook_ends_with_a_markdown_cell(path):
    """Shift+Enter on the written answer moves on to a closing note instead of adding a cell in graded work."""
    last = _load(path)["cells"][-1]
    assert last["cell_type"] == "markdown"
    if path in SOURCES or path in RELEASES:
        meta = last["metadata"]["nbgrader"]
        assert meta["locked"] and not meta["grade"] and not meta["solution"]
        assert _source(last).startswith("---\n\n**End of")


def test_the_released_answer_cells_say_what_to_do():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    stub = config.ClearSolutions.text_stub
    assert "Double-click" in stub and "YOUR ANSWER HERE" not in stub
    seen = 0
    for path in RELEASES:
        for cell in _load(path)["cells"]:
            if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("solution"):
                assert _source(cell) == stub
                seen += 1
        assert "YOUR ANSWER HERE" not in path.read_text(encoding="utf-8")
    # Every written answer of the sources, and only those (the pre/post checks and the follow-up have none).
    written = sum(cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("solution", False)
                  for path in SOURCES for cell in _load(path)["cells"])
    assert seen == written >= len(RELEASES) - 3
