"""A plain text progress bar on stderr (no extra dependency).

On a terminal the bar redraws in place; in a log file (CI, ``2> grade.log``)
it prints a line at most every ``every`` seconds and at the end, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``[#########.........]  45/100  ok 44  failed 1  1m02s left``"""

    def __init__(self, total: int, label: str = "", *, stream: TextIO | None = None, width: int = 30,
                 every: float = 10.0) -> None:
        self.total, self.label, self.width, self.every = total, label, width, every
        self.stream = stream if stream is not None else sys.stderr
        self.done = self.failed = 0
        self.started = time.monotonic()
        self._last_line = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def line(self) -> str:
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{self.label}[{bar}] {self.done:>{len(str(self.total))}}/{self.total}"
        text += f"  ok {self.done - self.failed}  failed {self.failed}"
        elapsed = time.monotonic() - self.started
        if 0 < self.done < self.total:
            left = elapsed / self.done * (self.total - self.done)
            text += f"  {int(left // 60)}m{int(left % 60):02d}s left"
        else:
            text += f"  {elapsed:.1f}s"
        return text

    def update(self, *, failed: bool = False) -> None:
        """One more item finished."""
        self.done += 1
        self.failed += failed
        self._draw(final=self.done >= self.total)

    def start(self) -> None:
        self._draw(final=False, force=True)

    def _draw(self, *, final: bool, force: bool = False) -> None:
        if self._tty:
            self.stream.write("\r" + self.line() + ("\n" if final else ""))
        elif final or force or time.monotonic() - self._last_line >= self.every:
            self.stream.write(self.line() + "\n")
            self._last_line = time.monotonic()
        self.stream.flush()
