"""The course-rise-widgets lab extension: shipped whole, and linked in place for an editable install."""

from __future__ import annotations

import json

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (requires-python allows it): the same parser from PyPI
    import tomli as tomllib

from course_lib.live.rise import EXTENSION_NAME, EXTENSION_SOURCE, installed_path, link_labextension
from tests.browser.conftest import REPO_ROOT


def test_the_extension_names_a_file_it_has_and_the_wheel_ships_every_file():
    meta = json.loads((EXTENSION_SOURCE / "package.json").read_text(encoding="utf-8"))
    assert meta["name"] == EXTENSION_NAME and meta["jupyterlab"]["extension"] is True
    assert (EXTENSION_SOURCE / meta["jupyterlab"]["_build"]["load"]).is_file()
    data_files = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "data-files"]
    shipped = {(REPO_ROOT / source).resolve().relative_to(EXTENSION_SOURCE).as_posix(): target
               for target, sources in data_files.items() for source in sources
               if target.startswith("share/jupyter/labextensions/")}
    files = {p.relative_to(EXTENSION_SOURCE).as_posix() for p in EXTENSION_SOURCE.rglob("*") if p.is_file()}
    assert set(shipped) == files
    for name, target in shipped.items():  # each file lands where JupyterLab looks for it
        assert f"{target}/{name.rsplit('/', 1)[-1]}" == f"share/jupyter/labextensions/{EXTENSION_NAME}/{name}"


def test_linking_is_idempotent_and_leaves_a_wheel_copy_alone(tmp_path):
    target = link_labextension(tmp_path)
    assert target == installed_path(tmp_path) and target.is_symlink() and target.resolve() == EXTENSION_SOURCE
    assert link_labextension(tmp_path) == target and target.resolve() == EXTENSION_SOURCE
    wheel_prefix = tmp_path / "wheel"
    copied = installed_path(wheel_prefix)
    copied.mkdir(parents=True)
    (copied / "package.json").write_text("{}")
    assert link_labextension(wheel_prefix) == copied and not copied.is_symlink()
    assert (copied / "package.json").read_text() == "{}"
