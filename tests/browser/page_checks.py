"""What a reader of a generated page would notice, measured from the DOM in Chromium.

Shared by the feedback, Formgrader and cohort-report tests: Markdown shown as
HTML source, lines running off the right edge, and script a trainee smuggled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Dialog, Page

__all__ = [
    "GOOD_WRITTEN",
    "HOSTILE_ID",
    "HOSTILE_NAME",
    "HOSTILE_WRITTEN",
    "LONG_WORD",
    "PageProblems",
    "ScriptWatch",
    "expected_headings",
    "page_problems",
]

LONG_WORD = "https://intranet.example.org/service-log/" + "call-back-promised-" * 16 + "end"
# A trainee's reflection with the Markdown a page must render: a heading,
# emphasis, a list, and one very long unbroken "word" that must wrap.
GOOD_WRITTEN = f"""\
### A late delivery

A customer rang about a **late parcel**. I *listened* to the whole story first, then:

- apologised and looked up the order while we talked;
- arranged a replacement for the same day and said when I would call back.

It felt like an interaction: I owned the problem. My notes: {LONG_WORD}
"""
# Every payload sets window.__pwned and opens a dialog if it ever runs.
HOSTILE_WRITTEN = """\
<script>window.__pwned = "script"; alert("script")</script>
<img src="x" onerror="window.__pwned = 'img'; alert('img')">
<svg onload="window.__pwned = 'svg'; alert('svg')"></svg>
<iframe srcdoc="<script>parent.__pwned = 'iframe'; alert('iframe')</script>"></iframe>
<details open ontoggle="window.__pwned = 'details'; alert('details')">details</details>
<p onmouseover="window.__pwned = 'hover'">hover here</p>
<a href="javascript:window.__pwned = 'link'">a link</a> and [another](javascript:window.__pwned='md')
<style>body { display: none }</style>

I listened to the customer.
"""
HOSTILE_NAME = "<img src=x onerror=\"window.__pwned='name'; alert('name')\">"
HOSTILE_ID = "<svg onload=alert('id')>"

# An HTML tag from Markdown that reached the reader as text.
RAW_TAG = re.compile(r"<(h\d|p|ul|ol|li|em|strong)[ >]", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)

_CHECK_JS = """
([scopeSelector, checkOverflow]) => {
  const scope = document.querySelector(scopeSelector);
  if (!scope) return null;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const rawTag = /<(h\\d|p|ul|ol|li|em|strong)[ >]/i;
  const rawTags = [];
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('script, style, textarea')) continue;
    if (rawTag.test(node.nodeValue)) rawTags.push(node.nodeValue.trim().slice(0, 160));
  }
  const all = [...scope.querySelectorAll('*')];
  const overflowing = [];
  if (checkOverflow) {
    for (const el of all) {
      const display = getComputedStyle(el).display;
      if (display === 'inline' || display === 'none' || el.clientWidth === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1) overflowing.push(`${describe(el)} ${el.scrollWidth}>${el.clientWidth}`);
    }
    const page = document.documentElement;
    if (page.scrollWidth > page.clientWidth + 1) overflowing.push(`page ${page.scrollWidth}>${page.clientWidth}`);
  }
  const handlers = all.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on')))
      .map(describe);
  const jsUrls = all.filter((el) => ['href', 'src', 'action', 'formaction', 'xlink:href']
      .some((name) => /^\\s*javascript:/i.test(el.getAttribute(name) || ''))).map(describe);
  const embedded = [...scope.querySelectorAll('script, iframe, object, embed, svg, style, link, base, meta')]
      .map(describe);
  return {rawTags, overflowing, handlers, jsUrls, embedded, pwned: window.__pwned ?? null};
}
"""


@dataclass
class PageProblems:
    raw_tags: list[str]  # text nodes showing HTML source of Markdown
    overflowing: list[str]  # boxes whose content is wider than the box
    handlers: list[str]  # elements with on* attributes
    js_urls: list[str]  # javascript: links
    embedded: list[str]  # script/iframe/svg/style... inside the content
    pwned: object  # window.__pwned, set by any hostile payload that ran


@dataclass
class ScriptWatch:
    """Records every dialog (alert/confirm/prompt) a page opens, and dismisses it."""

    dialogs: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> ScriptWatch:
        page.on("dialog", self._record)
        return self

    def _record(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def page_problems(page: Page, scope: str = "body", *, overflow: bool = True) -> PageProblems:
    """Inspect the rendered page (the part under ``scope``); hover and scroll first so lazy payloads fire."""
    for paragraph in page.locator(f"{scope} p").all()[:50]:
        paragraph.hover(timeout=2_000)
    page.mouse.wheel(0, 100_000)
    found = page.evaluate(_CHECK_JS, [scope, overflow])
    assert found is not None, f"no element matches {scope!r}"
    return PageProblems(found["rawTags"], found["overflowing"], found["handlers"], found["jsUrls"], found["embedded"],
                        found["pwned"])


def expected_headings(markdown_sources: list[str]) -> list[str]:
    """The text of every Markdown heading in ``markdown_sources``, as a reader sees it."""
    texts = [m for source in markdown_sources for m in _HEADING.findall(source)]
    return [re.sub(r"[*_`]+", "", t).strip() for t in texts]
