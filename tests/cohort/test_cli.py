"""The ``course`` command line: each step names the nbgrader command it wraps; bad input is refused."""

from __future__ import annotations

import pytest

from course_lib.cli import build_parser, main


@pytest.mark.parametrize(("command", "wrapped"), [
    ("release", "nbgrader release_assignment"), ("collect", "nbgrader collect"),
    ("grade", "nbgrader autograde"), ("export", "nbgrader export"),
])
def test_help_names_the_wrapped_nbgrader_command(command, wrapped, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    assert wrapped in " ".join(capsys.readouterr().out.split())


def test_a_folder_without_nbgrader_config_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--course-dir", str(tmp_path), "export"])
    assert "has no nbgrader_config.py" in capsys.readouterr().err


def test_unknown_options_are_refused_but_nbgrader_options_pass(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--course-dir", str(tmp_path), "grade", "module1", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    assert main(["--course-dir", str(tmp_path), "grade", "--Exchange.root=/x"]) == 2  # no assignment named
