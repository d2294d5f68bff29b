"""The course command starts without building jsonschema's IRI grammar, and IRIs are checked as before."""

from __future__ import annotations

import subprocess
import sys

CHECKS = ("import sys, jsonschema; checker = jsonschema.FormatChecker(); "
          "built = 'rfc3987_syntax.syntax_helpers' in sys.modules; "
          "results = [checker.conforms(v, f) for v in ('https://example.org/caf\u00e9?q=1', 'not an iri', '//x/y') "
          "for f in ('iri', 'iri-reference')]; print(built, results)")


def _run(prefix: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", prefix + CHECKS], capture_output=True, text=True, check=True)
    built, results = done.stdout.strip().split(" ", 1)
    return built, results


def test_the_course_command_does_not_build_the_grammar_at_start():
    code = "import sys, course_lib.cli, nbformat; print('rfc3987_syntax.syntax_helpers' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_iri_formats_are_checked_exactly_as_without_the_stand_in():
    plain_built, plain = _run("")
    deferred_built, deferred = _run("import course_lib.cli; ")
    assert plain_built == "True" and deferred_built == "False"  # only the start differs
    assert deferred == plain and "False" in plain and "True" in plain
