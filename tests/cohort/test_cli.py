"""The ``course`` command line: each step names the nbgrader command it wraps; bad input is refused."""

from __future__ import annotations

import os
import pwd

import pytest
from traitlets.config.loader import PyFileConfigLoader

from course_lib.cli import build_parser, main
from course_lib.cohort.trainee_config import write_trainee_config


@pytest.mark.parametrize(("command", "wrapped"), [
    ("release", "nbgrader release_assignment"), ("collect", "nbgrader collect"),
    ("grade", "nbgrader autograde"), ("export", "nbgrader export"),
    ("feedback", "nbgrader generate_feedback ASSIGNMENT --force"), ("release-feedback", "nbgrader release_feedback"),
    ("roster", "nbgrader db student import"),
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


def test_the_trainees_config_is_valid_python_whatever_the_paths_hold(tmp_path):
    exchange = tmp_path / 'odd "exchange"\n\'; import os #'
    target = write_trainee_config(tmp_path / "cfg" / "nbgrader_config.py", str(exchange), "cs-2025")
    config = PyFileConfigLoader(target.name, path=str(target.parent)).load_config()
    assert config.Exchange.root == str(exchange) and config.CourseDirectory.course_id == "cs-2025"
    assert config.CourseDirectory.student_id == pwd.getpwuid(os.getuid()).pw_name  # the account, not the env
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_the_shared_account_config_takes_the_hub_name_and_says_why(tmp_path, monkeypatch):
    target = write_trainee_config(tmp_path / "nbgrader_config.py", "/srv/x", "cs-2025", shared_account=True)
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    config = PyFileConfigLoader(target.name, path=str(target.parent)).load_config()
    assert config.CourseDirectory.student_id == "alice"
    assert "collect cannot check" in target.read_text(encoding="utf-8")


def test_the_trainees_config_never_replaces_someone_elses_file(tmp_path, capsys):
    target = tmp_path / "nbgrader_config.py"
    target.write_text("c.Exchange.root = '/srv/admins-own'\n", encoding="utf-8")
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "nbgrader_config.py").write_text("c.CourseDirectory.course_id = 'cs'\n", encoding="utf-8")
    args = ["--course-dir", str(tmp_path / "course"), "trainee-config", "-o", str(target), "--exchange", "/srv/x"]
    assert main(args) == 1
    assert "was not written by `course trainee-config`" in capsys.readouterr().err
    assert "admins-own" in target.read_text(encoding="utf-8")
    assert main([*args, "--force"]) == 0
    assert main(args) == 0  # its own file is rewritten freely
    assert "'/srv/x'" in target.read_text(encoding="utf-8")
