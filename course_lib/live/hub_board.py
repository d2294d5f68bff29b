"""The facilitators' live board as a JupyterHub service, behind hub OAuth.

A small Tornado app (JupyterHub's documented pattern for a service that
browsers visit: ``HubOAuthenticated`` handlers plus ``HubOAuthCallbackHandler``
at ``<prefix>oauth_callback``). A visitor without a hub session is sent to the
hub's login; one whose token lacks ``access:services!service=<board>``
(trainees) gets 403. No token ever appears in a URL.

It shows what the widget board shows, from the same code
(:func:`~course_lib.live.aggregate.summarise` and
:func:`~course_lib.live.render.render`): per activity the number of trainees
who took part and the room's answers; names, right answers and projector mode
on request; brainstorm entries can be hidden; a countdown runs in the page.
The board part of the page refreshes itself every ``COURSE_BOARD_REFRESH``
seconds. Trainee text is escaped by the renderer, and the page's Content
Security Policy runs only this page's own script (a nonce per response).

Run by the hub as ``python -m course_lib.live.hub_board`` (see
:mod:`course_lib.live.hub_service`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado import web

from .aggregate import BrainstormSummary, ClassFolder, load_activity, summarise
from .config import load_config
from .hub_app import class_dir, prepare_private_folder, serve, service_prefix
from .render import chart_img, notes_html, render

__all__ = ["BoardOptions", "board_fragment", "make_app"]

log = logging.getLogger("course_lib.live.hub")
_EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")

PAGE_CSS = """
body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:1em 2em;color:#111;background:#fff}
form.course-board-options,.course-board-timer-row{display:flex;flex-wrap:wrap;gap:0.6em 1.2em;align-items:center;
  margin:0.5em 0}
.course-board-updated{color:#333;font-size:0.9em}
body.course-projector{font-size:150%}
body.course-projector .course-board-card{font-size:1.2em;border-width:2px}
"""

SCRIPT = """
(function () {
  var board = document.getElementById('board');
  var every = Number(board.dataset.refreshMs);
  function refresh() {
    // Leave the board alone while the facilitator is choosing an entry to hide.
    if (board.contains(document.activeElement) && document.activeElement !== board) { return; }
    fetch(board.dataset.fragmentUrl, {credentials: 'same-origin', headers: {'X-XSRFToken': board.dataset.xsrf}})
      .then(function (response) {
        if (response.status === 403 || response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null) { board.innerHTML = html; } })
      .catch(function () {});
  }
  setInterval(refresh, every);
  document.querySelectorAll('form.course-board-options input[type=checkbox], form.course-board-options select')
    .forEach(function (control) { control.addEventListener('change', function () { control.form.submit(); }); });
  var deadline = null, label = document.getElementById('timer-label'), button = document.getElementById('timer-button');
  function tick() {
    if (deadline === null) { return; }
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) { deadline = null; label.textContent = 'Time is up!'; button.textContent = 'Start timer'; return; }
    label.textContent = String(Math.floor(left / 60)).padStart(2, '0') + ':' + String(left % 60).padStart(2, '0')
      + ' left';
  }
  button.addEventListener('click', function () {
    if (deadline === null) {
      deadline = Date.now() + 60000 * Number(document.getElementById('timer-minutes').value || 5);
      button.textContent = 'Stop timer';
    } else { deadline = null; button.textContent = 'Start timer'; label.textContent = 'Timer stopped'; }
    tick();
  });
  setInterval(tick, 1000);
})();
"""


class BoardOptions:
    """What the facilitator picked: activity, names, right answers, projector mode (from the query string)."""

    def __init__(self, handler: Any, activities: list[str]) -> None:  # anything with get_argument()
        wanted = handler.get_argument("activity", "")
        self.activity = wanted if wanted in activities else (activities[0] if activities else "")
        self.names = handler.get_argument("names", "") == "1"
        self.reveal = handler.get_argument("reveal", "") == "1"
        self.projector = handler.get_argument("projector", "") == "1"

    def query(self) -> str:
        flags = {"names": self.names, "reveal": self.reveal, "projector": self.projector}
        return urlencode({"activity": self.activity, **{k: "1" for k, on in flags.items() if on}})


def _hide_forms(summary: BrainstormSummary, options: BoardOptions, prefix: str, xsrf_html: str) -> str:
    """Forms to hide a flip-chart entry or show a hidden one again (option labels are escaped)."""
    cards = sorted((card for group in summary.groups for card in group.cards), key=lambda c: c.text.casefold())
    forms = []
    for action, label, choices in (
        ("hide", "Hide entry", [(card.key, card.text) for card in cards]),
        ("show", "Show again", sorted(summary.hidden.items(), key=lambda kv: kv[1].casefold())),
    ):
        if not choices:
            continue
        items = "".join(f'<option value="{escape(key, quote=True)}">{escape(text[:80])}</option>'
                        for key, text in choices)
        forms.append(
            f'<form method="post" action="{escape(prefix, quote=True)}hide" class="course-board-hide">{xsrf_html}'
            f'<input type="hidden" name="back" value="{escape(options.query(), quote=True)}">'
            f'<input type="hidden" name="action" value="{action}">'
            f'<label>{"Entry" if action == "hide" else "Hidden"} <select name="key">{items}</select></label> '
            f"<button>{label}</button></form>"
        )
    return '<div class="course-board-hide-row">' + "".join(forms) + "</div>" if forms else ""


def board_fragment(folder: ClassFolder, options: BoardOptions, prefix: str, xsrf_html: str) -> str:
    """The refreshing part of the page: headline, the activity's answers, chart, hide forms, notes."""
    updated = f'<p class="course-board-updated">Updated {datetime.now():%H:%M:%S}</p>'
    problems = notes_html(folder.folder_problems())
    if not options.activity:
        return (f"<h2>No activity yet</h2><p>No trainee has published a lesson answer to "
                f"{escape(str(folder.class_dir))} yet.</p>{problems}{updated}")
    try:
        summary = summarise(load_activity(options.activity) or options.activity, folder)
        shown = render(summary, show_names=options.names, reveal=options.reveal, projector=options.projector)
    except Exception as exc:  # the board stays up in front of the room; the reason is shown, not a traceback
        log.exception("refresh of %s failed", options.activity)
        return f'<p class="course-board-notes">Refresh failed: {escape(repr(exc))}</p>{updated}'
    chart = chart_img(shown.chart, shown.chart_alt) if shown.chart else ""
    hide = _hide_forms(summary, options, prefix, xsrf_html) if isinstance(summary, BrainstormSummary) else ""
    return (f'<h2 class="course-board-headline">{escape(shown.headline)}</h2>{shown.html}'
            f'<div class="course-board-chart-box" style="max-width:44em">{chart}</div>{hide}'
            f"{problems}{shown.notes_html}{updated}")


class _BoardHandler(HubOAuthenticated, web.RequestHandler):
    def initialize(self, folder: ClassFolder, refresh_seconds: float) -> None:
        self.folder = folder
        self.refresh_seconds = refresh_seconds

    def _activities(self) -> list[str]:
        return [a for a in self.folder.activities() if load_activity(a) is not None]

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")


class BoardPage(_BoardHandler):
    """The whole page: options, timer, and the board that refreshes itself."""

    @web.authenticated
    def get(self) -> None:
        prefix = service_prefix()
        activities = self._activities()
        options = BoardOptions(self, activities)
        nonce = secrets.token_urlsafe(16)
        self.set_header("Content-Security-Policy", f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                        f"script-src 'nonce-{nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'")
        picker = "".join(
            f'<option value="{escape(a, quote=True)}"{" selected" if a == options.activity else ""}>'
            f"{escape(getattr(load_activity(a), 'title', a))} ({escape(a)})</option>"
            for a in activities
        )

        def box(name: str, label: str, on: bool) -> str:
            return f'<label><input type="checkbox" name="{name}" value="1"{" checked" if on else ""}> {label}</label>'

        fragment = board_fragment(self.folder, options, prefix, self.xsrf_form_html())
        user = escape(self.current_user["name"])
        self.finish(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live board</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{PAGE_CSS}</style></head>
<body class="{"course-projector" if options.projector else ""}"><main>
<h1>Live board</h1><p>Signed in through the hub as {user}.</p>
<form method="get" action="{escape(prefix, quote=True)}" class="course-board-options">
<label>Activity <select name="activity">{picker}</select></label>
{box("names", "Show names", options.names)}{box("reveal", "Show right answers", options.reveal)}
{box("projector", "Projector mode", options.projector)}<button>Show</button></form>
<div class="course-board-timer-row"><label>Minutes <input id="timer-minutes" type="number" min="1" max="180"
 value="5"></label><button id="timer-button" type="button">Start timer</button>
<span id="timer-label" role="timer" aria-live="off"></span></div>
<div id="board" aria-live="polite" data-refresh-ms="{int(self.refresh_seconds * 1000)}"
 data-xsrf="{escape(self.xsrf_token.decode('ascii'), quote=True)}"
 data-fragment-url="{escape(prefix, quote=True)}fragment?{escape(options.query(), quote=True)}">{fragment}</div>
</main><script nonce="{nonce}">{SCRIPT}</script></body></html>""")


class BoardFragment(_BoardHandler):
    """Only the refreshing part (fetched by the page's script)."""

    @web.authenticated
    def get(self) -> None:
        options = BoardOptions(self, self._activities())
        self.finish(board_fragment(self.folder, options, service_prefix(), self.xsrf_form_html()))


class HideEntry(_BoardHandler):
    """Hide a brainstorm entry from the flip chart, or show it again; back to the same view."""

    @web.authenticated
    def post(self) -> None:
        back = self.get_argument("back", "")
        options = BoardOptions(_Args(back), self._activities())
        key = self.get_argument("key", "")
        if not options.activity or not re.fullmatch(r"[0-9a-f]{12}", key):
            raise web.HTTPError(400, "no entry chosen")
        text = self._card_text(options.activity, key)
        try:
            self.folder.set_hidden(options.activity, key, text, self.get_argument("action", "hide") == "hide")
        except OSError as exc:
            raise web.HTTPError(503, f"could not save the hidden list: {exc}") from None
        self.redirect(f"{service_prefix()}?{options.query()}")

    def _card_text(self, activity: str, key: str) -> str:
        summary = summarise(load_activity(activity) or activity, self.folder)
        if isinstance(summary, BrainstormSummary):
            for group in summary.groups:
                for card in group.cards:
                    if card.key == key:
                        return card.text
            return summary.hidden.get(key, "")
        return ""


class _Args:
    """The options of a ``back`` query string, read like a request's arguments."""

    def __init__(self, query: str) -> None:
        from urllib.parse import parse_qs

        self._args = {k: v[-1] for k, v in parse_qs(query).items()}

    def get_argument(self, name: str, default: str = "") -> str:
        return self._args.get(name, default)


def make_app(folder: Path | None = None, refresh_seconds: float | None = None) -> web.Application:
    """The Tornado application; the class folder is made private to this user first."""
    folder = Path(folder or class_dir())
    for warning in prepare_private_folder(folder):
        log.warning(warning)
    prefix = service_prefix()
    args: dict[str, Any] = {
        "folder": ClassFolder(folder),
        "refresh_seconds": refresh_seconds or load_config().refresh_seconds,
    }
    return web.Application(
        [
            (rf"{re.escape(prefix)}oauth_callback", HubOAuthCallbackHandler),
            (rf"{re.escape(prefix)}fragment", BoardFragment, args),
            (rf"{re.escape(prefix)}hide", HideEntry, args),
            (rf"{re.escape(prefix)}?", BoardPage, args),
        ],
        cookie_secret=os.urandom(32),
        xsrf_cookies=True,
    )


def main() -> None:
    # matplotlib's first import takes about a second: pay it at start, not on the facilitator's first view.
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    serve(make_app(), "live-board")


if __name__ == "__main__":
    main()
