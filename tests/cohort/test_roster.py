"""The roster import: any Unicode name arrives intact; a bad row is named by file, line and column."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.cohort.export import write_csv
from course_lib.cohort.gradebook import read_cohort
from course_lib.cohort.roster import RosterError, import_roster, read_roster


def write_roster(path: Path, rows: list[list[str]], header=("id", "first_name", "last_name", "email")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_spreadsheet_roster_with_a_bom_quotes_and_unicode(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "\ufeffid,first_name,last_name,email\r\n"
        'zoe,Zoë,"O\'Brien, Jr",zoe@example.org\r\n'
        "li,明,李,\r\n"
        "\r\n"
        "amir,أمير, Haddad ,amir@example.org\r\n".encode()
    )
    entries = read_roster(roster)
    assert [(e.id, e.fields["first_name"], e.fields["last_name"], e.line) for e in entries] == [
        ("zoe", "Zoë", "O'Brien, Jr", 2), ("li", "明", "李", 3), ("amir", "أمير", "Haddad", 5),
    ]


def test_columns_may_be_left_out_but_id_is_required(tmp_path):
    entries = read_roster(write_roster(tmp_path / "r.csv", [["ann", "Lee"]], header=("id", "last_name")))
    assert entries[0].fields == {"last_name": "Lee"}
    with pytest.raises(RosterError, match=r"r\.csv: line 1: no 'id' column"):
        read_roster(write_roster(tmp_path / "r.csv", [["Lee"]], header=("last_name",)))


@pytest.mark.parametrize(("content", "message"), [
    (b"id,first_name,surname\nann,Ann,Lee\n", r"line 1: unknown column 'surname'"),
    (b"id,first_name,last_name\nann,Ann,Lee\nbob,B\xe9a,Smith\n", r"line 3: not UTF-8 text \(byte 0xe9\)"),
    (b"id,first_name,last_name\nann,Ann,Lee\nbob,Bob,Smith, Jr\n", r"line 3: 4 fields, but the header has 3"),
    (b"id,first_name,last_name\n,Ann,Lee\n", r"line 2: column 'id': is empty"),
    (b"id,first_name,last_name\n../etc,Ann,Lee\n", r"line 2: column 'id': '../etc' is not a usable id"),
    (b"id,first_name,last_name\nann,Ann,Lee\nann,Anne,Lee\n", r"line 3: column 'id': 'ann' is already on line 2"),
    (b"id,email\nann,not-an-address\n", r"line 2: column 'email': 'not-an-address' is not an e-mail address"),
    (b'id,first_name,last_name\nann,"Ann\nMarie",Lee\n', r"line 2: column 'first_name': contains a control"),
    (b'id,first_name,last_name\nann,"Ann ""A"", x",Lee\nbob,Bob,"\x07"\n', r"line 3: column 'last_name'"),
    (b"", r"the file is empty"),
])
def test_a_bad_roster_is_refused_naming_the_line_and_column(tmp_path, content, message):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    with pytest.raises(RosterError, match=rf"roster\.csv: {message}"):
        read_roster(roster)


def test_a_line_break_in_a_quoted_field_counts_towards_the_line_numbers(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b'id,first_name\nann,"Ann\nMarie"\n')
    with pytest.raises(RosterError, match=r"line 2: column 'first_name'"):
        read_roster(roster)
    roster.write_bytes(b'id,email\nann,"a@b\nc"\nbob,x\n')
    with pytest.raises(RosterError, match=r"line 2: column 'email'"):
        read_roster(roster)


# Anything a person's name can hold: letters of every script, marks, emoji, quotes, commas; no control characters.
NAME = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30).map(str.strip)


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> str:
    """One real, empty gradebook for the examples below (creating one runs alembic: seconds)."""
    from nbgrader.api import Gradebook

    folder = tmp_path_factory.mktemp("roster")
    url = f"sqlite:///{folder / 'gradebook.db'}"
    # nbgrader runs `alembic` by name when it creates a gradebook (the course config does this in real use)
    path = os.environ["PATH"]
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + path
    try:
        with Gradebook(url, "c") as gb:
            gb.engine.dispose()
    finally:
        os.environ["PATH"] = path
    return url


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(NAME, NAME), min_size=1, max_size=5))
def test_any_unicode_name_reaches_the_gradebook_and_the_export(gradebook, tmp_path, names):
    rows = [[f"t{i}", first, last, ""] for i, (first, last) in enumerate(names)]
    import_roster(write_roster(tmp_path / "roster.csv", rows), gradebook, "c", tmp_path / "gradebook.db.lock")
    cohort = read_cohort(gradebook, "c")
    stored = {t.id: (t.first_name, t.last_name) for t in cohort.trainees}
    assert {f"t{i}": stored[f"t{i}"] for i in range(len(names))} == {f"t{i}": pair for i, pair in enumerate(names)}
    buffer = io.StringIO(newline="")
    write_csv(cohort, buffer)
    exported = {row[0]: row for row in csv.reader(io.StringIO(buffer.getvalue(), newline=""))}
    for i, (first, last) in enumerate(names):
        assert exported[f"t{i}"][1] in (last, "'" + last) and exported[f"t{i}"][2] in (first, "'" + first)
