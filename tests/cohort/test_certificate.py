"""`course certificate`: who qualifies and why not, printable pages in any script, codes that verify or fail."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import unicodedata
import warnings
from datetime import date

import pytest
from sqlalchemy.exc import SAWarning

from course_lib.cli import main
from course_lib.cohort.certificate import SECRET_FILE, eligibility, load_secret, make_code, verify_code
from course_lib.cohort.gradebook import read_cohort
from course_lib.evaluation import load_evaluation
from tests.conftest import ROOT, content_variant

NAMES = {
    "arabic": ("أحمد", "المصري"),
    "chinese": ("小明", "王"),
    "latin": ("Zoë", "Łukasiewicz-Ångström"),
    "emoji": ("Sam", "Smile 😀"),
}
SCORES = {"arabic": 5.0, "chinese": 4.0, "latin": 3.0, "emoji": 5.0, "low": 2.0}  # of 5; 60% needed
DAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the project's config and a real gradebook: module1 (5 points) and module2."""
    from nbgrader.api import Gradebook

    folder = tmp_path_factory.mktemp("certificate-course")
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    # nbgrader runs `alembic` by name when it creates a gradebook: this environment's bin/ first on PATH.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        gb = Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id="customer-service")
        for assignment in ("module1", "module2"):
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            gb.add_grade_cell("part", assignment, assignment, max_score=5, cell_type="code")
        for trainee, (first, last) in {**NAMES, "low": ("Lou", "Low")}.items():
            gb.add_student(trainee, first_name=first, last_name=last)
            with warnings.catch_warnings():  # nbgrader 0.9.6 + SQLAlchemy 2 warn on every new submission
                warnings.simplefilter("ignore", SAWarning)
                gb.add_submission("module1", trainee)
            grade = gb.find_grade("part", "module1", "module1", trainee)
            grade.auto_score, grade.needs_manual_grade = SCORES[trainee], False
    gb.db.commit()
    gb.close()
    return folder


@pytest.fixture
def rules(tmp_path, monkeypatch):
    """Only module1 counts here: 60% of its points."""
    content_variant(tmp_path / "content", "evaluation.yaml", lambda d: d.update(pass_percent={"module1": 60}))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path / "content"))
    return load_evaluation()


def cohort_of(course):
    return read_cohort(f"sqlite:///{course / 'gradebook.db'}", "customer-service")


def test_eligibility_names_each_module_that_stops_a_trainee(course, tmp_path, monkeypatch):
    content_variant(tmp_path, "evaluation.yaml", lambda d: d.update(pass_percent={"module1": 60, "module2": 50}))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    cohort = cohort_of(course)
    low = next(t for t in cohort.trainees if t.id == "low")
    assert eligibility(cohort, load_evaluation(), low).reasons == (
        "module1: 40% (2 of 5 points), below the 60% needed", "module2: not submitted (needs 50%)")


def test_certificates_for_those_who_passed_and_reasons_for_the_others(course, rules, capsys):
    out = course / "certs"
    status = main(["--course-dir", str(course), "certificate", "-o", str(out), "--date", "2026-11-30"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "low: no certificate: module1: 40% (2 of 5 points), below the 60% needed" in printed
    assert "4 of 5 trainee(s) qualified" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"certificate-{t}.{ext}" for t in NAMES for ext in ("html", "pdf"))
    secret = course / SECRET_FILE
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600


def test_names_in_any_script_are_in_the_pdf(course, rules):
    from pypdf import PdfReader

    out = course / "certs-pdf"
    assert main(["--course-dir", str(course), "certificate", "-o", str(out), "--date", "2026-11-30"]) == 0
    for trainee, (first, last) in NAMES.items():
        reader = PdfReader(out / f"certificate-{trainee}.pdf")
        assert len(reader.pages) == 1, trainee  # one printable page
        text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
        assert "Customer Service Workbook" in text
        code = make_code(load_secret(course), trainee, "customer-service", DAY)
        assert code in "".join(text.split()), trainee
        for part in (first, last):
            words = [w for w in part.split() if not any(unicodedata.category(c) == "So" for c in w)]
            for word in words:
                # Arabic comes back in visual (right-to-left) order from some PDF text layers
                assert word in text or word[::-1] in text, (trainee, word, text)
        page_html = (out / f"certificate-{trainee}.html").read_text(encoding="utf-8")
        assert f"<h1 dir='auto'>{first} {last}</h1>" in page_html


def test_the_emoji_is_drawn_with_a_font_that_has_it(course, rules):
    """The emoji comes from a colour font page (no text layer to extract): check the PDF embeds that font."""
    from pypdf import PdfReader

    out = course / "certs-emoji"
    assert main(["--course-dir", str(course), "certificate", "-o", str(out), "--student", "emoji"]) == 0
    page = PdfReader(out / "certificate-emoji.pdf").pages[0]
    fonts = {str(font.get_object().get("/BaseFont", "")) for font in page["/Resources"]["/Font"].values()}
    assert any("Emoji" in name for name in fonts) or "😀" in page.extract_text(), fonts


def test_a_code_verifies_and_a_tampered_or_unknown_one_fails(course, rules, capsys):
    secret = load_secret(course)
    code = make_code(secret, "latin", "customer-service", DAY)
    assert main(["--course-dir", str(course), "certificate", "--verify", code]) == 0
    assert "Valid: certificate of Zoë Łukasiewicz-Ångström (latin)" in capsys.readouterr().out

    tampered = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    assert main(["--course-dir", str(course), "certificate", "--verify", tampered]) == 1
    assert "Not valid: the code does not match" in capsys.readouterr().err

    other_date = "20261201" + code[8:]
    assert main(["--course-dir", str(course), "certificate", "--verify", other_date]) == 1
    assert "does not match" in capsys.readouterr().err

    stranger = make_code(secret, "mallory", "customer-service", DAY)
    assert main(["--course-dir", str(course), "certificate", "--verify", stranger]) == 1
    assert "Not valid: the gradebook has no trainee 'mallory'" in capsys.readouterr().err

    assert main(["--course-dir", str(course), "certificate", "--verify", "hello"]) == 1
    assert "is not a certificate code" in capsys.readouterr().err


def test_a_code_for_someone_below_threshold_does_not_verify(course, rules):
    secret = load_secret(course)
    result = verify_code(make_code(secret, "low", "customer-service", DAY), secret, cohort_of(course), rules,
                         "customer-service")
    assert not result.ok and "no longer meets the thresholds: module1: 40%" in result.message


def test_a_secret_others_can_read_is_refused(tmp_path):
    load_secret(tmp_path)
    os.chmod(tmp_path / SECRET_FILE, 0o644)
    with pytest.raises(Exception, match="readable by other users"):
        load_secret(tmp_path)


def test_the_page_shows_a_name_with_markup_as_text():
    from course_lib.cohort.certificate import certificate_html

    page = certificate_html("<script>alert(1)</script> Ann", "Course <b>", "Team & co", DAY, "20261130-X-ann")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Ann" in page
    assert "Course &lt;b&gt;" in page and "Team &amp; co" in page


def test_a_reply_sent_to_the_trainer_never_counts_as_passed_until_marked(tmp_path, rules):
    """The scorer left the reply for the trainer (no automatic score): no certificate until it is marked."""
    from nbgrader.api import Gradebook

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        gb = Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", course_id="customer-service")
        gb.add_assignment("module1")
        gb.add_notebook("module1", "module1")
        gb.add_grade_cell("reply", "module1", "module1", max_score=5, cell_type="code")
        gb.add_student("pat", first_name="Pat", last_name="Lee")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            gb.add_submission("module1", "pat")
        grade = gb.find_grade("reply", "module1", "module1", "pat")
        grade.auto_score, grade.needs_manual_grade = None, True  # as SaveAutoGradesWithReview leaves it
        gb.db.commit()
        pat = next(t for t in cohort_of(tmp_path).trainees if t.id == "pat")
        assert eligibility(cohort_of(tmp_path), rules, pat).reasons == (
            "module1: 1 part(s) still waiting to be graded",)
        grade.manual_score = 4.0  # the trainer marks it in Formgrader
        grade.needs_manual_grade = False
        gb.db.commit()
        assert eligibility(cohort_of(tmp_path), rules, pat).passed
        gb.close()
