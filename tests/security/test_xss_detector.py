"""The XSS corpus's detector sees payloads that run: raw, unsanitized HTML of the corpus in Chromium.

Without this control a browser test that finds "nothing ran" could simply be
blind. Loading the corpus as raw HTML must trip the detector many times over.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from .xss import PAYLOADS, js_urls, ran, watch  # noqa: E402

pytestmark = pytest.mark.browser


def test_payloads_in_raw_html_are_seen_running(page, tmp_path) -> None:
    dialogs = watch(page)
    raw = tmp_path / "raw.html"
    raw.write_text("<!doctype html><html><body>" + "\n".join(f"<div>{p}</div>" for p in PAYLOADS)
                   + "</body></html>", encoding="utf-8")
    page.goto(raw.as_uri())
    page.wait_for_timeout(500)  # onload/onerror handlers and frames
    signs = ran(page, dialogs)
    flags = {s.rsplit("__xss_", 1)[1] for s in signs}
    print(f"\nraw corpus: {len(flags)} of {len(PAYLOADS)} payloads ran unsanitized")
    assert len(flags) >= 8, signs  # script, handlers, svg, srcdoc frames... are seen
    assert len(js_urls(page)) >= 5  # and the links a click would run
