"""The grades CSV: exact columns, quoting, empty cells for no score, formula guard."""

from __future__ import annotations

import csv
import io

from course_lib.cohort.export import fmt, write_csv


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
