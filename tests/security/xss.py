"""The XSS corpus (``xss_payloads.txt``) and how a browser test tells whether any payload ran.

Each payload's ``JS`` becomes code unique to that payload that opens a dialog,
sets ``window.__xss_<n>`` on the top page and posts ``__xss_<n>`` to it (so a
payload that runs in a cross-origin frame, where dialogs are muted and the top
page's variables are out of reach, still reports). A test loads the corpus
into one page per surface, then calls :func:`ran` and asserts it is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CORPUS_FILE", "INIT_SCRIPT", "JS_URLS", "PAYLOADS", "as_markdown", "chunks", "js_urls", "ran", "watch"]

CORPUS_FILE = Path(__file__).with_name("xss_payloads.txt")


def _js(n: int) -> str:
    flag = f"__xss_{n}"
    return f"alert('{flag}');parent.postMessage('{flag}','*');top.{flag}=1"


def _load() -> list[str]:
    lines = CORPUS_FILE.read_text(encoding="utf-8").splitlines()
    raw = [line for line in lines if line.strip() and not line.startswith("# ")]
    return [line.replace("JS", _js(n)).replace(" N", f" {n}") for n, line in enumerate(raw, start=1)]


PAYLOADS: list[str] = _load()

# Runs in every frame before the page's own scripts: collect the messages payloads post.
INIT_SCRIPT = """
window.__seen_messages = [];
window.addEventListener('message', (e) => {
  if (typeof e.data === 'string' && e.data.startsWith('__xss_')) window.__seen_messages.push(e.data);
});
"""

_RAN_JS = """
() => [...Object.keys(window).filter((k) => /^__xss_\\d+$/.test(k)), ...(window.__seen_messages || [])]
"""


def as_markdown() -> str:
    """Every payload on a paragraph of its own: a reflection or reply made of the whole corpus."""
    return "\n\n".join(PAYLOADS) + "\n\nI listened to the customer.\n"


def chunks(limit: int, size: int) -> list[list[str]]:
    """The payloads no longer than ``limit`` characters, in groups of at most ``size`` (widget limits)."""
    fitting = [p for p in PAYLOADS if len(p) <= limit]
    return [fitting[i:i + size] for i in range(0, len(fitting), size)]


def watch(page: Any) -> list[str]:
    """Start watching ``page`` (call before loading it): returns the list dialogs are recorded in."""
    dialogs: list[str] = []
    page.add_init_script(INIT_SCRIPT)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


# Hover and focus every element (even hidden ones), so payloads waiting for a user fire too.
_PROVOKE_JS = """
() => {
  // Our own clicks must not follow links (the page would go away); inline onclick handlers still run.
  document.addEventListener('click', (e) => { if (!e.isTrusted) e.preventDefault(); }, true);
  for (const el of document.querySelectorAll('*')) {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
    if (type === 'click' && !el.closest('a, button, details, summary')) continue;
    try { el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true})); } catch (e) {}
  } } }
"""


def ran(page: Any, dialogs: list[str], *, provoke: bool = True) -> list[str]:
    """Every sign that a payload ran: dialogs, flags on the top page, messages from frames.

    With ``provoke``, every element is first hovered, focused and (links, buttons) clicked by events
    dispatched from script, so handlers waiting for a user fire as well. A click's default action
    (following a link) is prevented; javascript: links are judged from the DOM (:func:`js_urls`).
    """
    if provoke:
        for frame in page.frames:
            try:
                frame.evaluate(_PROVOKE_JS)
            except Exception:  # noqa: BLE001 - a frame that went away or is cross-origin
                continue
        page.wait_for_timeout(300)  # messages posted by frames arrive asynchronously
    signs = [f"dialog {d}" for d in dialogs]
    for frame in page.frames:
        try:
            signs += [f"{frame.url[:60]}: {s}" for s in frame.evaluate(_RAN_JS)]
        except Exception:  # noqa: BLE001 - a frame that went away or is cross-origin cannot be read
            continue
    return sorted(set(signs))


JS_URLS = """
(scope) => [...document.querySelectorAll(scope + ' *')].filter((el) => ['href', 'src', 'action', 'formaction',
  'xlink:href', 'data'].some((name) => /^\\s*(javascript:|data:(?!image\\/(png|jpeg|gif|webp);))/i
  .test(el.getAttribute(name) || '')))
  .map((el) => el.outerHTML.slice(0, 120))
"""


def js_urls(page: Any, scope: str = "body") -> list[str]:
    """Elements under ``scope`` whose link or source is a javascript: or data: URL (one click from running).

    Raster images in data: URLs (the report's charts) cannot run anything and are not counted.
    """
    return page.evaluate(JS_URLS, scope)
