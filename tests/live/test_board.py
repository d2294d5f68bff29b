"""The live board's widgets without a browser, the projector mode, and the start command."""

from __future__ import annotations

import sys
import time

import matplotlib
import pytest

from course_lib.live.aggregate import card_key
from course_lib.live.board import LiveBoard
from course_lib.live.config import LiveConfig
from course_lib.live.projector import PROJECTOR_CSS, is_on, projector_mode
from course_lib.live.publish import publish_answer
from course_lib.live.serve import voila_command

SCRIPT = "<script>alert('board')</script> listen to every caller"


@pytest.fixture
def board(tmp_path):
    class_dir = tmp_path / "class"
    for trainee, answer in (("ann", [SCRIPT, "Thank every caller by name"]), ("ben", ["Call back when I promised"])):
        publish_answer("m1-brainstorm", "brainstorm", answer, LiveConfig(class_dir, trainee, f"{trainee} N", "on"))
    board = LiveBoard(class_dir, autostart=False)
    yield board
    board.close()


def test_the_board_opens_on_the_first_activity_with_names_hidden(board):
    assert board.picker.value == "m1-brainstorm"
    assert "2 trainees took part" in board.headline.value
    assert "&lt;script&gt;" in board.body.value and "<script>" not in board.body.value
    assert "ann N" not in board.body.value
    assert board.chart.value.startswith('<img class="course-board-chart" src="data:image/png;base64,iVBOR')
    assert 'alt="' in board.chart.value and board.chart.layout.display == ""
    board.show_names.value = True
    assert "ann N" in board.body.value


def test_the_facilitator_can_hide_an_entry_and_show_it_again(board):
    board.entry_picker.value = card_key(SCRIPT)
    board.hide_button.click()
    assert "script" not in board.body.value
    assert [value for _label, value in board.hidden_picker.options] == [card_key(SCRIPT)]
    board.unhide_button.click()
    assert "&lt;script&gt;" in board.body.value and board.hidden_picker.options == ()


def test_the_countdown_starts_and_stops(board):
    board.minutes.value = 2
    board.toggle_timer()
    assert board.timer_label.value in {"02:00 left", "01:59 left"} and board.timer_button.description == "Stop timer"
    board._deadline = time.monotonic() - 1  # let the time run out
    board._tick()
    assert board.timer_label.value == "Time is up!" and board.timer_button.description == "Start timer"


def test_the_background_refresh_picks_up_new_entries_and_stops_on_close(tmp_path):
    class_dir = tmp_path / "class"
    board = LiveBoard(class_dir, refresh_seconds=0.5)
    assert "No activity yet" in board.headline.value
    trainee = LiveConfig(class_dir, "a", "A", "on")
    publish_answer("m1-brainstorm", "brainstorm", ["Listen to the whole question"], trainee)
    deadline = time.monotonic() + 10
    while "1 trainee took part" not in board.headline.value and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "1 trainee took part" in board.headline.value
    thread = board._thread
    board.close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_projector_mode_enlarges_type_and_charts_and_switches_off():
    default = matplotlib.rcParams["font.size"]
    projector_mode(True)
    try:
        assert is_on() and matplotlib.rcParams["font.size"] == 18
        assert "--jp-widgets-font-size: 22px" in PROJECTOR_CSS
    finally:
        projector_mode(False)
    assert not is_on() and matplotlib.rcParams["font.size"] == default


def test_the_board_projector_toggle_adds_the_styles(board):
    board.projector.value = True
    assert board.projector_style.value == PROJECTOR_CSS
    board.projector.value = False
    assert board.projector_style.value == ""


def test_the_start_command_serves_on_loopback_with_a_token_and_without_nbgrader_extensions():
    command = voila_command(port=8900, token="t0ken")
    assert command[:3] == [sys.executable, "-m", "voila"] and command[3].endswith("board.ipynb")
    assert "--Voila.ip=127.0.0.1" in command and "--token=t0ken" in command
    assert "--VoilaConfiguration.extension_denylist=@jupyter/nbgrader" in command
    with pytest.raises(ValueError, match="token"):
        voila_command(port=8900, token="")
