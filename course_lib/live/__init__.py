"""Live sessions: publishing lesson answers to a class folder, the facilitator's board, projector mode.

Only :mod:`.config`, :mod:`.publish` and :mod:`.aggregate` are imported by
trainee code paths; they use no widgets and no matplotlib.
"""

from __future__ import annotations

__all__: list[str] = []
