"""axe-core (the copy bundled in the axe-playwright-python wheel) run on a page, ours and the host's apart.

``audit(page, ours)`` runs axe twice: on the parts of the page the course
renders (``ours``: CSS selectors), and on everything else (JupyterLab's or
Voilà's own interface). Only the first counts; the second is printed so a
reviewer can see it, and so it is never mistaken for ours. Nothing is
downloaded at test time: the script is read from the installed package.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

__all__ = ["BLOCKING", "AxeAudit", "audit", "axe_script"]

BLOCKING = ("critical", "serious")  # the impacts the course must not have
IMPACTS = ("critical", "serious", "moderate", "minor")
# WCAG 2.1 A and AA, plus axe's best practices (heading order, landmarks) to see them; impact decides what counts.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_script() -> str:
    """axe.min.js as shipped in the axe-playwright-python wheel (a real axe-core build)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


_RUN = """
async ([context, tags]) => {
  const results = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {version: axe.version, violations: results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                summary: (n.failureSummary || '').slice(0, 300)})),
  }))};
}
"""


@dataclass
class AxeAudit:
    """The violations axe found on one page: ``ours`` (counted) and ``host`` (JupyterLab/Voilà, printed)."""

    where: str
    version: str
    ours: list[dict]
    host: list[dict]

    @staticmethod
    def by_impact(violations: list[dict]) -> dict[str, int]:
        """Violating nodes per impact (a rule failing on 3 elements counts 3)."""
        counts = Counter()
        for violation in violations:
            counts[violation["impact"] or "minor"] += len(violation["nodes"])
        return {impact: counts[impact] for impact in IMPACTS}

    def blocking(self) -> list[dict]:
        """Our critical and serious violations: the ones the course must fix."""
        return [v for v in self.ours if v["impact"] in BLOCKING]

    def describe(self, violations: list[dict] | None = None) -> str:
        lines = []
        for v in self.ours if violations is None else violations:
            lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {n['target']}\n      {n['html']}\n      {n['summary']}" for n in v["nodes"][:4]]
            if len(v["nodes"]) > 4:
                lines.append(f"    ... and {len(v['nodes']) - 4} more")
        return "\n".join(lines)

    def summary(self) -> str:
        host_rules = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in self.host) or "none"
        return (f"axe {self.version} on {self.where}: ours {self.by_impact(self.ours)}; "
                f"host (not counted) {self.by_impact(self.host)}: {host_rules}")


def audit(page: Page, ours: list[str] | None, where: str, *, save_to: Path | None = None) -> AxeAudit:
    """Run axe on ``ours`` (selectors of what the course renders; None: the whole page is ours) and,
    apart, on the rest of the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    if ours is None:
        mine, host = page.evaluate(_RUN, [{"include": ["html"]}, TAGS]), {"violations": []}
    else:
        present = [selector for selector in ours if page.locator(selector).count()]
        assert present, f"nothing of the course's on {where}: none of {ours} is on the page"
        mine = page.evaluate(_RUN, [{"include": present}, TAGS])
        host = page.evaluate(_RUN, [{"include": ["html"], "exclude": present}, TAGS])
    result = AxeAudit(where, mine["version"], mine["violations"], host["violations"])
    print(result.summary())
    if save_to is not None:
        save_to.parent.mkdir(parents=True, exist_ok=True)
        save_to.write_text(json.dumps({"where": where, "ours": result.ours, "host": result.host}, indent=1),
                           encoding="utf-8")
    return result
