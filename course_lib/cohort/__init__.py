"""Instructor tools for a whole cohort: export grades, report, certificates, roster.

Grading itself (``course grade``, ``course feedback``) is its own package, ``course_lib.grader``.

One job per module:

- ``nbgrader_cli``: run a plain nbgrader command for the course (release, collect,
  feedback), stopping when nbgrader_config.py fails to load;
- ``gradebook``: read scores and names out of the gradebook as plain data;
- ``export``: the grades CSV (csv module, one row per trainee, formulas defused);
- ``roster``: import trainees' ids, names and e-mail, every row checked first;
- ``trainee_config``: the nbgrader config trainees need (exchange, course id);
- ``charts``: the report's charts (matplotlib's object API, PNG data URIs);
- ``report``: the cohort report, one self-contained HTML page.

``course_lib.cli`` puts them behind the ``course`` command.
"""

from __future__ import annotations

__all__: list[str] = []
