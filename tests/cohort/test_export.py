"""The grades CSV: exact columns, quoting, empty cells for no score, formula guard."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.cohort.export import defuse, fmt, write_csv
from course_lib.cohort.gradebook import Cohort, Exercise, Trainee


def parsed(cohort) -> list[list[str]]:
    buffer = io.StringIO()
    assert write_csv(cohort, buffer) == 4
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def test_columns_per_exercise_per_module_and_totals(cohort):
    assert parsed(cohort)[0] == [
        "student_id", "last_name", "first_name", "m1-brainstorm (5)", "m1-reflection (2)", "module1 total (7)",
        "m7-self-assessment (5)", "module7 total (5)", "total (12)", "ungraded",
    ]


def test_rows_round_trip_through_the_csv_module(cohort):
    rows = {row[0]: row for row in parsed(cohort)[1:]}
    assert rows["ann"] == ["ann", "Lee", "Ann", "5", "", "5", "4", "4", "9", "1"]
    assert rows["pat"] == ["pat", 'O\'Neil, "Jr"', "Pat", "2.5", "1", "3.5", "", "", "3.5", "0"]
    assert rows["joe"] == ["joe", "", "", "", "", "", "", "", "", "0"]


def test_a_name_a_spreadsheet_would_run_is_defused(cohort):
    rows = {row[0]: row for row in parsed(cohort)[1:]}
    assert rows["eve"][1:3] == ["<script>x</script>", "'=HYPERLINK(1)"]
    assert rows["eve"][3] == "0.33"


def test_number_format():
    assert [fmt(5.0), fmt(3.5), fmt(0.0), fmt(2 / 3), fmt(None)] == ["5", "3.5", "0", "0.67", ""]


def test_written_to_a_file_with_quoting(cohort, tmp_path):
    target = tmp_path / "grades.csv"
    write_csv(cohort, target)
    assert '"O\'Neil, ""Jr"""' in target.read_text(encoding="utf-8")


# Everything a spreadsheet may start a formula with, in the forms it folds together.
FORMULA_STARTS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe62", "\u2212"]
BLANKS = st.text(alphabet=" \t\r\n\u00a0\u3000", max_size=3)


@pytest.mark.parametrize("name", [" =1+1", "\n=1+1", "\r\n@SUM(A1)", "\uff1dHYPERLINK(1)", "\u3000\uff0b1", "\t1"])
def test_formulas_behind_blanks_and_full_width_forms_are_defused(name):
    assert defuse(name) == "'" + name


@pytest.mark.parametrize("name", ["Ann", "O'Neil", "\u00c9milie", "", "  Lee", "1-2", "Jean-Luc"])
def test_ordinary_names_are_left_alone(name):
    assert defuse(name) == name


def write_names(names: list[tuple[str, str]]) -> list[list[str]]:
    """Export a cohort with these (first, last) names and read it back as a spreadsheet would."""
    trainees = [Trainee(f"t{i}", first, last) for i, (first, last) in enumerate(names)]
    exercise = Exercise("module1", "module1", "m1-brainstorm", 5.0)
    scores = {(t.id, "module1", "module1", "m1-brainstorm"): float(i) for i, t in enumerate(trainees)}
    cohort = Cohort(["module1"], [exercise], trainees, scores, {(t.id, "module1") for t in trainees})
    buffer = io.StringIO(newline="")
    write_csv(cohort, buffer)
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline=""), dialect="excel"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(
    st.one_of(st.text(), st.builds(lambda b, f, t: b + f + t, BLANKS, st.sampled_from(FORMULA_STARTS), st.text())),
    st.text(),
), min_size=1, max_size=4))
def test_no_name_can_start_a_formula_and_every_name_comes_back(names):
    table = write_names(names)
    for row, (first, last) in zip(table[1:], names, strict=True):
        for cell, name in ((row[1], last), (row[2], first)):
            assert cell in (name, "'" + name)
            if cell == name:  # left alone: no blank-skipping, full-width-folding reader would see a formula
                start = cell.lstrip()[:1]
                assert cell[:1] not in {"\t", "\r"} and start not in {"\u2212"}
                assert unicodedata.normalize("NFKC", start)[:1] not in set("=+-@")


def test_names_with_commas_quotes_and_line_breaks_keep_their_columns():
    names = [("Pat", 'O\'Neil, "Jr"'), ("Ann,\nMarie", "Lee;\r\nSmith"), ('"', ","), ("\u00c9milie \u2603", "\u674e")]
    table = write_names(names)
    assert len(table) == 1 + len(names)  # a line break inside a name does not start a new row
    header = table[0]
    for row, (first, last) in zip(table[1:], names, strict=True):
        record = dict(zip(header, row, strict=True))  # strict: exactly as many cells as the header
        assert (record["first_name"], record["last_name"]) == (first, last)
        assert record["m1-brainstorm (5)"] == record["module1 total (5)"] == record["total (5)"]
