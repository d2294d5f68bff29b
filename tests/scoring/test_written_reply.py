"""Written reply: keyword rubric with alternative phrasings, penalties, length limits."""

from __future__ import annotations

import pytest

from course_lib.models import ContentError, load_exercise, load_exercise_file
from course_lib.scoring.written_reply import find, parse_answer, score, word_count
from tests.conftest import content_variant

GOOD = """Dear Mrs Alvarez,

Thank you for telling us about this, and I am truly sorry that your refund has still not arrived three weeks
after you returned the kettle. I can understand how frustrating it is to chase us twice and then lose the call.

I will personally make sure this is put right. I have checked your return, and the full refund has now been
processed: it will reach your card within two working days.

I will call you back on Friday to confirm the money has arrived. If you need me before then, my direct line
is 0161 555 0199. Thank you for your patience, and for being with us for so long.

Kind regards,
Sam"""
PARTIAL = """Dear Mrs Alvarez, we're sorry about the delay with your refund. Refunds can take a while to come
through the banks, and several things have held up the returns team this month, which has been busy with many
returns after the sale. The refund has been processed now and should reach you soon. Please let us know if it
has not arrived by the end of next week so that somebody can look into it again for you. Regards, Customer Care"""
HOSTILE = ("Please calm down. That's not my department, and it's our policy that refunds take 21 days. "
           "You should have read the receipt. ") * 3


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m5-recovery-reply")


def test_scores_are_ordered_good_partial_hostile_empty(exercise):
    good, partial, hostile, empty = (score(exercise, {"text": t}) for t in (GOOD, PARTIAL, HOSTILE, ""))
    assert good.points == good.max_points == 6
    assert good.points > partial.points > hostile.points == empty.points == 0


def test_feedback_names_found_and_missing_criteria_with_hints(exercise):
    text = "\n".join(score(exercise, {"text": PARTIAL}).feedback)
    assert '✓ Apologise: found "sorry"' in text
    assert "✗ Thank the customer: missing. A complaint is a chance" in text
    assert "✗ Promise to follow up: missing." in text


def test_penalties_quote_the_phrase_and_floor_at_zero(exercise):
    result = score(exercise, {"text": HOSTILE})
    text = "\n".join(result.feedback)
    assert '− Passing the problem on: "not my department" (−2)' in text
    assert '− Telling the customer how to feel: "calm down"' in text
    assert "− Hiding behind policy: \"it's our policy\"" in text
    assert '− Blaming the customer: "You should have"' in text
    assert result.points == 0


def test_penalty_variants_and_curly_apostrophes(exercise):
    polite = GOOD.replace("Kind regards", "This is not my job, but kind regards")
    assert score(exercise, {"text": polite}).points == 4
    curly = GOOD.replace("Kind regards", "That’s our policy. Kind regards")
    assert score(exercise, {"text": curly}).points == 5


def test_phrasings_are_alternatives_found_across_line_breaks(exercise):
    criterion = next(c for c in exercise.criteria if c.id == "follow-up")
    assert find(criterion.patterns, "I will ring\nyou back tomorrow") == "ring you back"
    assert find(criterion.patterns, "I'll keep you posted") == "keep you posted"
    assert find(criterion.patterns, "Goodbye") is None


def test_too_short_and_too_long_replies_keep_only_part_of_the_points(exercise):
    short = "Thank you, I am sorry, I understand. I will personally resolve it and call you back."
    result = score(exercise, {"text": short})
    assert result.points == 3 and "under the minimum of 60" in result.feedback[0]
    long = GOOD + " More words here." * 60
    result = score(exercise, {"text": long})
    assert result.points == 3 and "over the maximum of 250" in result.feedback[0]


def test_answer_lines_show_the_reply(exercise):
    lines = score(exercise, {"text": "Line one\nLine two <b>"}).answer_lines
    assert lines == ("Your reply (5 words):", "  Line one", "  Line two <b>")
    assert word_count("It's a follow-up, thanks!") == 4


def test_empty_reply(exercise):
    result = score(exercise, parse_answer(None))
    assert result.points == 0 and "No reply saved yet" in result.feedback[0]


@pytest.mark.parametrize("raw", ["text", ["a"], {"text": 3}, {"reply": "x"}, {"text": "x", "more": 1}])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)


def test_hand_rubric_is_there_for_the_human_grader(exercise):
    assert len(exercise.hand_rubric) >= 3 and any("Tone" in item for item in exercise.hand_rubric)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["criteria"][0].update(patterns=["(unclosed"]), "field 'criteria.0.patterns.0'"),
        (lambda d: d["criteria"][1].update(patterns=[]), "field 'criteria.1.patterns'"),
        (lambda d: d["length"].update(min_words=300), "min_words (300) must not be above max_words"),
        (lambda d: d["penalties"][0].pop("why"), "field 'penalties.0.why'"),
        (lambda d: d.update(hand_rubric="be nice"), "field 'hand_rubric'"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, change, field):
    target = content_variant(tmp_path, "m5-recovery-reply.yaml", change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(target)
    assert str(target) in str(error.value) and field in str(error.value)
