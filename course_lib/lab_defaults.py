"""JupyterLab defaults the course ships: no "official Jupyter news" question, no update check.

On first opening, JupyterLab 4 asks every user "Would you like to get notified
about official Jupyter news?" (the ``@jupyterlab/apputils-extension:announcements``
plugin asks whenever the ``fetchNews`` setting of
``@jupyterlab/apputils-extension:notification`` is still ``"none"``; the
server's ``LabApp.news_url`` does not stop the question). Trainees should see
the course, not a question about Jupyter, so the course sets ``fetchNews`` to
``"false"`` (and ``checkForUpdates`` to ``false``: a trainee cannot upgrade the
server) with JupyterLab's own mechanism for site-wide defaults: a settings
overrides file in ``<prefix>/share/jupyter/lab/settings/overrides.d/``. Anyone
can still change both in *Settings > Notifications*; their choice wins.

A wheel install (the course server, the Kubernetes image) puts the file there
(``[tool.setuptools.data-files]`` in pyproject.toml); an editable install, what
``run.py`` does, skips data files, so ``run.py`` links it:

    python -m course_lib.lab_defaults       # link it into this Python's prefix
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["OVERRIDES_NAME", "OVERRIDES_SOURCE", "installed_path", "link_overrides"]

OVERRIDES_NAME = "customer-service-workbook.json"
OVERRIDES_SOURCE = Path(__file__).resolve().parent / "jupyter_settings" / OVERRIDES_NAME


def installed_path(prefix: Path | str = sys.prefix) -> Path:
    """Where JupyterLab running from ``prefix`` reads the course's settings overrides."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / OVERRIDES_NAME


def link_overrides(prefix: Path | str = sys.prefix) -> Path:
    """Make ``<prefix>/share/jupyter/lab/settings/overrides.d/<name>`` point at the course's file.

    A copy installed from a wheel is left alone; an old link is replaced.
    """
    from .live.rise import link_data_file

    return link_data_file(OVERRIDES_SOURCE, installed_path(prefix))


if __name__ == "__main__":
    print(f"JupyterLab defaults: {link_overrides()}")
