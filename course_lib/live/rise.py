"""Live widgets in RISE slideshows: the course's small JupyterLab extension and how it is installed.

jupyterlab-rise shows a slideshow in its own small application, which lacks a
module the ipywidgets manager needs, so every widget in the slides showed as
plain text ("BrainstormWidget(children=...)"). The prebuilt extension in
``labextension/course-rise-widgets`` supplies that module (see the comment in
its ``remoteEntry`` file). A wheel install puts it in
``<prefix>/share/jupyter/labextensions`` (``[tool.setuptools.data-files]`` in
pyproject.toml); an editable install (``pip install -e``, what ``run.py`` does)
skips data files, so ``run.py`` links it there with :func:`link_labextension`,
as ``jupyter labextension develop`` would:

    python -m course_lib.live.rise          # link it into this Python's prefix
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["EXTENSION_NAME", "EXTENSION_SOURCE", "installed_path", "link_data_file", "link_labextension"]

EXTENSION_NAME = "course-rise-widgets"
EXTENSION_SOURCE = Path(__file__).resolve().parent / "labextension" / EXTENSION_NAME


def installed_path(prefix: Path | str = sys.prefix) -> Path:
    """Where JupyterLab looks for the extension under ``prefix``."""
    return Path(prefix) / "share" / "jupyter" / "labextensions" / EXTENSION_NAME


def link_labextension(prefix: Path | str = sys.prefix) -> Path:
    """Make ``<prefix>/share/jupyter/labextensions/course-rise-widgets`` point at the source folder.

    A copy installed from a wheel is left alone; an old link is replaced.
    """
    return link_data_file(EXTENSION_SOURCE, installed_path(prefix))


def link_data_file(source: Path, target: Path) -> Path:
    """Make ``target`` (where a wheel would install a data file or folder) a link to ``source``.

    What an editable install skips: a copy installed from a wheel is left alone; an old link is replaced.
    """
    if target.is_symlink():
        if target.resolve() == source:
            return target
        target.unlink()
    elif target.exists():
        return target  # installed from a wheel: already in place
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(source, target, target_is_directory=source.is_dir())
    return target


if __name__ == "__main__":
    print(f"{EXTENSION_NAME}: {link_labextension()}")
