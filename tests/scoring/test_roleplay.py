"""Telephone role-play: graph validation, scoring per standard along the path, transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_lib.models import PACKAGED_CONTENT, ContentError, load_exercise, load_exercise_file
from course_lib.scoring.roleplay import MAX_ATTEMPTS, counted, drop_to_limit, parse_answer, score, transcript, walk
from tests.conftest import content_variant

ROLEPLAY = PACKAGED_CONTENT / "module4" / "m4-phone-roleplay.yaml"
BEST = [("ringing", "ring-1"), ("greeting", "full-greeting"), ("asks-for-colleague", "out-offer-message"),
        ("urgent", "offer-colleague"), ("before-transfer", "ask-hold"), ("hold-answer", "wait-for-yes"),
        ("tom-in-meeting", "take-details"), ("closing", "thank-and-wait")]
CARELESS = [("ringing", "ring-5"), ("greeting", "hello"), ("asks-for-colleague", "try-tomorrow"),
            ("urgent", "just-transfer"), ("before-transfer", "silent-hold"), ("tom-in-meeting", "take-details"),
            ("closing", "ok-bye")]
BLIND_TRANSFER = [("ringing", "ring-1"), ("greeting", "full-greeting"), ("asks-for-colleague", "blind-transfer")]


def path(steps):
    return {"path": [{"node": n, "choice": c} for n, c in steps]}


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m4-phone-roleplay")


def test_scores_are_ordered_best_mixed_careless_empty(exercise):
    mixed = BEST[:1] + [("greeting", "hello")] + BEST[2:-1] + [("closing", "thank-and-hang-up")]
    scores = [score(exercise, path(p)).points for p in (BEST, mixed, BLIND_TRANSFER, CARELESS, [])]
    assert scores == [6, 4, 2, 0, 0]
    assert score(exercise, path(BEST)).max_points == 6


def test_feedback_names_each_standard_and_why(exercise):
    feedback = "\n".join(score(exercise, path(CARELESS)).feedback)
    assert "Phone standards met in this call: 0 of 6" in feedback
    assert "✗ Answer promptly: At your desk, pick up within two rings. (not met at step 1)" in feedback
    assert "You picked up at ring 5. Our standard is two rings" in feedback
    assert "✗ Say who you are" in feedback and "guess where they have landed" in feedback
    assert "✗ Ask before hold, and wait for the answer" in feedback


def test_asking_without_waiting_breaks_the_hold_standard(exercise):
    asked_only = BEST[:5] + [("hold-answer", "hold-anyway")] + BEST[6:]
    result = score(exercise, path(asked_only))
    assert result.points == 5
    assert "✗ Ask before hold, and wait for the answer" in "\n".join(result.feedback)


def test_a_call_ended_early_gets_nothing_for_standards_never_reached(exercise):
    result = score(exercise, path(BLIND_TRANSFER))
    text = "\n".join(result.feedback)
    assert "✗ Transfer only with permission" in text
    assert "– Thank the caller and let them hang up first" in text and "never got that far" in text
    assert result.answer_lines[-1] == "  (call ended)"


def test_unfinished_call_says_so(exercise):
    result = score(exercise, path(BEST[:3]))
    assert result.points == 3 and "not finished yet" in result.feedback[0]
    assert result.answer_lines[-1] == "  (call not finished)"


def test_transcript_is_the_path_taken_in_order_with_the_organisations_greeting(exercise):
    lines = transcript(exercise, path(BEST[:2]))
    assert [speaker for speaker, _ in lines] == ["Caller", "You", "Caller", "You"]
    assert lines[1][1] == "Leave the note and pick up at the first ring."
    assert lines[3][1] == '"Harbourside Services, Customer Care, this is Sam speaking. How can I help?"'
    answer_lines = score(exercise, path(BEST[:2])).answer_lines
    assert answer_lines[0] == "Attempt 1 of 1 — this is the one that counts (your best call)."
    assert answer_lines[1] == "Your call (2 replies):" and answer_lines[3].startswith("  You: Leave the note")


def test_a_path_that_does_not_fit_the_call_is_scored_up_to_the_mismatch(exercise):
    steps = BEST[:2] + [("asks-for-colleague", "no-such-reply")] + BEST[3:]
    result = score(exercise, path(steps))
    assert result.points == 2 and "Step 3 of your saved call does not fit" in result.feedback[0]
    assert walk(exercise, path(steps)).current.id == "asks-for-colleague"


def test_empty_answer(exercise):
    result = score(exercise, parse_answer(None))
    assert result.points == 0 and "not started the call" in result.feedback[0]
    assert result.answer_lines == ("Your call: not started",)


@pytest.mark.parametrize(
    "raw",
    [[], "ring-1", {"path": "ring-1"}, {"path": [["ringing", "ring-1"]]}, {"path": [{"node": "ringing"}]},
     {"path": [{"node": "ringing", "choice": 1}]}, {"path": [], "extra": 1},
     {"attempts": []}, {"attempts": "x", "chosen": None}, {"attempts": [{"path": []}], "chosen": 1},
     {"attempts": [{"path": []}], "chosen": True}, {"attempts": [{"path": []}], "chosen": "0"},
     {"attempts": [[]], "chosen": None}, {"attempts": [{"path": [], "extra": 1}], "chosen": None},
     {"attempts": [{"path": []}] * 21, "chosen": None}],
)
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)


def _variant(tmp_path: Path, change) -> Path:
    return content_variant(tmp_path, "m4-phone-roleplay.yaml", change)


def _node(data, node_id):
    return next(n for n in data["nodes"] if n["id"] == node_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(start="nowhere"), "start node 'nowhere' is not one of the nodes"),
        (lambda d: _node(d, "greeting")["choices"][0].update(next="lunch"), "next node 'lunch' does not exist"),
        (lambda d: _node(d, "closing")["choices"][0].update(next="greeting"),
         "loop: greeting -> asks-for-colleague -> urgent -> before-transfer -> hold-answer -> tom-in-meeting"),
        (lambda d: _node(d, "urgent")["choices"][0].update(meets=["be_nice"]), "unknown standard be_nice"),
        (lambda d: d["nodes"].append({"id": "orphan", "caller": "x", "choices": [{"id": "a", "text": "b"}]}),
         "orphan cannot be reached"),
        (lambda d: _node(d, "ringing")["choices"][0].update(meets=["answer_promptly"]),
         "scored from the standards"),
        (lambda d: _node(d, "greeting").update(choices=[]), "field 'nodes.1.choices'"),
        (lambda d: _node(d, "greeting")["choices"][1].update(text="Hi {nmae}"),
         "field 'nodes.1.choices.1.text': Value error, unknown placeholder {nmae}"),
        (lambda d: d["standards"][0].update(description="within {rings"), "field 'standards.0.description'"),
        (lambda d: d["standards"].append(dict(d["standards"][0])), "standard ids must be unique"),
    ],
)
def test_malformed_call_names_file_and_problem(tmp_path, change, message):
    target = _variant(tmp_path, change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(target)
    assert str(target) in str(error.value) and message in str(error.value)


def attempts(*calls, chosen=None):
    return {"attempts": [path(c) for c in calls], "chosen": chosen}


MIXED = BEST[:1] + [("greeting", "hello")] + BEST[2:-1] + [("closing", "thank-and-hang-up")]  # 4 of 6


def test_an_old_single_call_file_reads_as_one_attempt(exercise):
    assert parse_answer(path(BEST), exercise) == {"attempts": [path(BEST)], "chosen": None}
    assert parse_answer({"path": []}, exercise) == {"attempts": [{"path": []}], "chosen": None}


def test_the_best_attempt_counts_by_default_whatever_came_after(exercise):
    answer = parse_answer(attempts(MIXED, BEST, CARELESS, BEST[:2]), exercise)
    result = score(exercise, answer)
    assert counted(exercise, answer) == 1 and result.points == 6
    assert result.answer_lines[0] == "Attempt 2 of 4 — this is the one that counts (your best call)."
    assert "  Attempt 2: 6 of 6 standards met (call ended)  ← counts" in result.answer_lines
    assert "  Attempt 4: 2 of 6 standards met (not finished)" in result.answer_lines


def test_the_chosen_attempt_counts_even_when_it_is_not_the_best(exercise):
    answer = parse_answer(attempts(BEST, MIXED, chosen=1), exercise)
    result = score(exercise, answer)
    assert result.points == 4
    assert result.answer_lines[0] == "Attempt 2 of 2 — this is the one that counts (you chose it)."


def test_equal_scores_prefer_a_finished_call_then_the_later_one(exercise):
    unfinished_three = BEST[:3]  # 3 of 6, not finished
    finished_two = BLIND_TRANSFER  # 2 of 6, ended
    assert counted(exercise, attempts(BEST, BEST)) == 1
    assert counted(exercise, attempts(unfinished_three, finished_two)) == 0
    assert counted(exercise, attempts(BEST[:2], [("ringing", "ring-1"), ("greeting", "department-only"),
                                                  ("asks-for-colleague", "out-offer-message")])) == 1


def test_a_new_attempt_not_started_does_not_count_and_is_not_numbered(exercise):
    answer = parse_answer(attempts(BEST, []), exercise)
    assert answer == attempts(BEST, []) and score(exercise, answer).points == 6
    assert score(exercise, answer).answer_lines[0].startswith("Attempt 1 of 1 ")
    # attempts with no reply in the middle carry nothing: they are dropped, and 'chosen' follows
    assert parse_answer(attempts([], BEST, [], MIXED, chosen=3), exercise) == attempts(BEST, MIXED, chosen=1)


def test_twenty_attempts_at_most_the_counted_and_current_ones_never_dropped(exercise):
    answer = attempts(*([CARELESS] * 5), BEST, *([MIXED] * 14))  # 20 attempts, the best is the 6th
    grown = {"attempts": [*answer["attempts"], {"path": []}], "chosen": None}
    trimmed, dropped = drop_to_limit(exercise, grown)
    assert len(trimmed["attempts"]) == MAX_ATTEMPTS and [d.index for d in dropped] == [0]
    assert trimmed["attempts"][-1] == {"path": []} and score(exercise, trimmed).points == 6
    chosen = {**grown, "chosen": 0}  # a chosen first attempt stays; the next oldest goes
    trimmed, dropped = drop_to_limit(exercise, chosen)
    assert [d.index for d in dropped] == [1] and trimmed["chosen"] == 0
    assert score(exercise, trimmed).points == 0 and "(you chose it)" in score(exercise, trimmed).answer_lines[0]
    parse_answer(trimmed, exercise)  # what the widget saves stays within the parser's limit
