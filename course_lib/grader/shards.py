"""A cohort's submissions split between machines: ``course grade --shard K/N`` (issue 21).

Every trainee belongs to exactly one of N shards (a stable hash of the trainee's id, the same on every
machine and in every run), so N ``course grade`` runs, on N machines sharing the course folder and one
PostgreSQL gradebook, grade each submission once between them. A shard's rows go in its own transactions;
a shard that is stopped or killed is simply run again, and grades only what is missing or changed
(``markers``). Shards of one run must all use the same N.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

__all__ = ["Shard"]

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/3"`` -> Shard(2, 3); a clear error for anything else."""
        match = _SHARD.match(text)
        if not match:
            raise ValueError(f"--shard must be K/N, such as 2/3 (shard 2 of 3), not {text!r}")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= index <= count:
            raise ValueError(f"--shard {text}: K must be between 1 and N")
        return cls(index, count)

    def owns(self, student: str) -> bool:
        """Whether this shard grades ``student``'s submissions."""
        return zlib.crc32(student.encode("utf-8")) % self.count == self.index - 1

    @property
    def index_name(self) -> str:
        """What this shard's files are called apart from other shards' (its re-run index)."""
        return f"shard-{self.index}-of-{self.count}"

    @property
    def lock_name(self) -> str:
        return f".course-grade-shard-{self.index}-of-{self.count}.lock"

    def __str__(self) -> str:
        return f"shard {self.index} of {self.count}"
