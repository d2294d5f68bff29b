"""The pre- and post-test cover every module, ask in other words and order, and evaluation.yaml is checked."""

from __future__ import annotations

import pytest

from course_lib.evaluation import load_evaluation
from course_lib.models import ContentError, load_exercise
from course_lib.models.true_false import too_similar
from tests.conftest import content_variant

SETTINGS = load_evaluation()
PRE, POST = load_exercise(SETTINGS.pre_test), load_exercise(SETTINGS.post_test)


def test_every_graded_module_has_questions_in_both_tests():
    modules = {m.assignment for m in SETTINGS.modules}
    assert modules == {f"module{n}" for n in range(1, 8)}
    assert all(m.pre and m.post for m in SETTINGS.modules)
    placed_pre = {q for m in SETTINGS.modules for q in m.pre}
    placed_post = {q for m in SETTINGS.modules for q in m.post}
    assert placed_pre == {q.id for q in PRE.questions} and placed_post == {q.id for q in POST.questions}


def test_no_post_item_is_a_copy_of_a_pre_item():
    pre_texts = [q.text for q in PRE.questions]
    pre_options = {o.text.casefold() for q in PRE.questions for o in q.options}
    for question in POST.questions:
        assert question.id not in {q.id for q in PRE.questions}
        for text in pre_texts:
            assert question.text.casefold() != text.casefold()
            assert not too_similar(question.text, text), (question.text, text)
        assert not {o.text.casefold() for o in question.options} & pre_options, question.id


def test_the_post_test_asks_in_another_order():
    def module_order(test, post):
        return [SETTINGS.module_of(q.id, post=post).assignment for q in test.questions]

    assert module_order(PRE, False) != module_order(POST, True)


def test_a_question_in_no_module_is_an_error_naming_the_file(tmp_path, monkeypatch):
    path = content_variant(tmp_path, "evaluation.yaml", lambda d: d["modules"][0]["pre"].pop())
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    with pytest.raises(ContentError, match=f"{path}: field 'modules': question.* belong to no module"):
        load_evaluation()


def test_a_threshold_above_100_names_the_field(tmp_path, monkeypatch):
    path = content_variant(tmp_path, "evaluation.yaml", lambda d: d["pass_percent"].update(module3=120))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    with pytest.raises(ContentError, match=f"{path}: field 'pass_percent.module3'"):
        load_evaluation()
