"""Gather a class folder into what the live board shows. Pure: no widgets, no matplotlib.

A :class:`ClassFolder` reads ``<class_dir>/<exercise-id>/<trainee>.json``
entries written by :mod:`course_lib.live.publish`, caching each parsed entry
(and its brainstorm verdicts or self-assessment band) until the file's mtime or
size changes, so a refresh of a room of 1,000 re-reads only what changed.
A half-written, corrupt or misfiled entry is skipped with a note, never raised.

:func:`summarise` turns an activity into a summary by exercise type:
brainstorm -> distinct entries grouped by theme and theme counts; true_false
(self-assessment) -> band counts only, never names; choice -> how often each
option was picked; classify -> how often each item was put in each group, the
most-confused items first. Names travel with brainstorm cards so the board can show
them on request; it hides them by default.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..grading import scorer_for
from ..models import ContentError, ExerciseBase, load_exercise
from ..scoring.brainstorm import ItemVerdict, normalise, theme_pattern
from .classdir import (
    FILE_NOFOLLOW,
    ClassDirError,
    claimed_by_owner,
    is_shared,
    open_folder,
    owner_display_name,
    owner_name,
    write_json,
)
from .publish import ENTRY_FORMAT

__all__ = [
    "NO_THEME",
    "BandSummary",
    "BrainstormSummary",
    "Card",
    "ChoiceSummary",
    "ClassEntries",
    "ClassFolder",
    "ClassifySummary",
    "Entry",
    "ItemSort",
    "OptionCount",
    "OtherSummary",
    "QuestionCount",
    "ThemeGroup",
    "brainstorm_themes",
    "card_key",
    "summarise",
]

NO_THEME = "No theme recognised"
HIDDEN_FILE = ".hidden.json"
MAX_ENTRY_BYTES = 256_000  # far above any real answer; a bigger file is skipped, not parsed


@dataclass(frozen=True)
class Entry:
    """One trainee's published answer (already parsed to its canonical shape)."""

    trainee: str
    name: str
    saved_at: str
    answer: Any
    derived: Any = None  # per-type data computed once per file version (verdicts, band)


@dataclass(frozen=True)
class ClassEntries:
    """The readable entries of one activity, and a note for each file that was skipped."""

    exercise_id: str
    entries: tuple[Entry, ...]
    notes: tuple[str, ...]
    rejected: int = 0  # entries on a shared folder whose owner is not the trainee they name


def _read_no_follow(path: Path, version: tuple[int, int, int, int]) -> bytes:
    """The file's bytes, opened without following a link; it must still be the file that was listed."""
    fd = os.open(path, os.O_RDONLY | FILE_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_ino, info.st_uid) != version[2:]:
            raise ValueError("it changed while being read; it is read again on the next refresh")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(fd)


def card_key(text: str) -> str:
    """The id of a distinct brainstorm entry, used to hide it: the same words give the same key."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:12]


_THEME_RULES: dict[str, tuple[ExerciseBase, list[tuple[str, Any]]]] = {}


def brainstorm_themes(exercise: Any, items: list[str]) -> tuple[Any, ...]:
    """Each entry with its themes, by the scorer's own rule (``scoring.brainstorm``).

    Like ``judge_items``: entries under ``min_words`` words get no theme, and a
    theme is found by its keyword pattern. Unlike it, an entry close to the
    trainee's own earlier one keeps its themes (the room's chart counts what
    was written), and the near-duplicate comparison, 3 ms per trainee and
    three quarters of a cold refresh of 1,000, is skipped.
    """
    cached = _THEME_RULES.get(exercise.id)
    if cached is None or cached[0] is not exercise:  # compile the patterns once per content version
        cached = _THEME_RULES[exercise.id] = (exercise, [(t.label, theme_pattern(t)) for t in exercise.themes])
    patterns, min_words = cached[1], exercise.rubric.min_words
    verdicts = []
    for text in items:
        if len(normalise(text).split()) < min_words:
            verdicts.append(ItemVerdict(text, False, "too short"))
            continue
        lowered = text.casefold()
        verdicts.append(ItemVerdict(text, True, "", tuple(label for label, p in patterns if p.search(lowered))))
    return tuple(verdicts)


def _derive(exercise: ExerciseBase, answer: Any) -> Any:
    if exercise.type == "brainstorm":
        # (verdict, card key) pairs: the key is hashed once per file version, not on every refresh.
        return tuple((v, card_key(v.text) if normalise(v.text) else None) for v in brainstorm_themes(exercise, answer))
    if exercise.type == "true_false":
        # A half-answered self-assessment has no band yet: counting its blanks as False would skew the room.
        statements = getattr(exercise, "statements", None)
        if statements is not None and any(s.id not in answer for s in statements):
            return None
        band_for = importlib.import_module("course_lib.scoring.true_false").band_for
        return band_for(exercise, answer).label
    return None


class ClassFolder:
    """Reads and caches the entries of a class folder; stores the facilitator's hidden entries.

    Files are opened without following links. On a shared class folder (one
    other users can write to, or holding files of several users) an entry
    counts only when its owner is the OS user it is named after, and the name
    shown is that user's, not the one written in the file.
    """

    def __init__(self, class_dir: Path | str) -> None:
        self.class_dir = Path(class_dir)
        # path -> (file version, exercise object it was parsed for, Entry or note)
        self._cache: dict[Path, tuple[tuple[int, int, int, int], ExerciseBase, Entry | str]] = {}

    def _class_stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.class_dir)  # the configured path itself may be a link set up by the admin
        except OSError:
            return None

    def activities(self) -> list[str]:
        """Exercise ids that have a folder in the class folder, sorted."""
        try:
            return sorted(
                p.name for p in os.scandir(self.class_dir) if p.is_dir(follow_symlinks=False)
                and not p.name.startswith(".")
            )
        except OSError:
            return []

    def folder_problems(self) -> tuple[str, ...]:
        """Activity folders a trainee made so that others cannot add to them (or can remove others' entries)."""
        class_stat = self._class_stat()
        if class_stat is None or not is_shared(class_stat):
            return ()
        problems = []
        for name in self.activities():
            try:
                info = os.lstat(self.class_dir / name)
            except OSError:
                continue
            if info.st_uid == class_stat.st_uid:
                continue  # the facilitator's (or the admin's) own folder
            who = owner_name(info.st_uid) or f"uid {info.st_uid}"
            mode = stat.S_IMODE(info.st_mode)
            if not mode & 0o002:
                problems.append(f"The activity folder {name} was created by {who} and others cannot add to it: "
                                "remove it and run course-board --init-class-dir.")
            elif not mode & stat.S_ISVTX:
                problems.append(f"The activity folder {name} was created by {who} without the sticky bit: "
                                "anyone can remove others' entries. Run course-board --init-class-dir.")
        return tuple(problems)

    def read(self, exercise: ExerciseBase) -> ClassEntries:
        """Every entry of ``exercise``; unreadable ones become notes, entries by the wrong user are rejected."""
        folder = self.class_dir / exercise.id
        entries: list[Entry] = []
        notes: list[str] = []
        seen: set[Path] = set()
        try:
            scan = list(os.scandir(folder)) if not folder.is_symlink() else []
        except OSError:
            scan = []
        listed: list[tuple[os.DirEntry[str], os.stat_result]] = []
        for item in scan:
            # Dot files are the hidden list and half-written temporary files.
            if item.name.startswith(".") or not item.name.endswith(".json"):
                continue
            seen.add(Path(item.path))
            if item.is_symlink():
                notes.append(f"Skipped {item.name}: a symbolic link, not an entry.")
                continue
            try:
                listed.append((item, item.stat(follow_symlinks=False)))
            except OSError as exc:
                notes.append(f"Skipped {item.name}: {exc.strerror}.")
        class_stat = self._class_stat()
        shared = (class_stat is not None and is_shared(class_stat)) or any(
            info.st_uid != os.geteuid() for _item, info in listed
        )
        rejected = 0
        for item, info in listed:
            path = Path(item.path)
            if shared and not claimed_by_owner(path.stem, info.st_uid):
                rejected += 1
                continue
            version = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_uid)
            cached = self._cache.get(path)
            if cached is None or cached[0] != version or cached[1] is not exercise:
                cached = (version, exercise, self._parse(path, exercise, version))
                self._cache[path] = cached
            result = cached[2]
            if isinstance(result, Entry):
                if shared:  # the name a trainee typed is not trusted where users share the folder
                    result = replace(result, name=owner_display_name(info.st_uid) or result.trainee)
                entries.append(result)
            else:
                notes.append(result)
        for gone in [p for p in self._cache if p.parent == folder and p not in seen]:
            del self._cache[gone]
        entries.sort(key=lambda e: (e.saved_at, e.trainee))
        notes.sort()
        if rejected:
            notes.insert(0, f"Rejected: {rejected} {'entry' if rejected == 1 else 'entries'} "
                            "not written by the trainee they name.")
        return ClassEntries(exercise.id, tuple(entries), tuple(notes), rejected)

    @staticmethod
    def _parse(path: Path, exercise: ExerciseBase, version: tuple[int, int, int, int]) -> Entry | str:
        name = path.name
        size = version[1]
        if size > MAX_ENTRY_BYTES:
            return f"Skipped {name}: too large ({size} bytes)."
        try:
            record = json.loads(_read_no_follow(path, version))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            if record.get("format") != ENTRY_FORMAT:
                raise ValueError(f"unknown format {record.get('format')!r}")
            if record.get("exercise") != exercise.id:
                raise ValueError(f"it belongs to exercise {record.get('exercise')!r}")
            if record.get("trainee") != path.stem:
                raise ValueError("its trainee id does not match its file name")
            answer = scorer_for(exercise).parse_answer(record.get("answer"))
            name_field = record.get("name")
            return Entry(
                trainee=path.stem,
                name=name_field if isinstance(name_field, str) and name_field else path.stem,
                saved_at=str(record.get("saved_at", "")),
                answer=answer,
                derived=_derive(exercise, answer),
            )
        except OSError as exc:
            return f"Skipped {name}: could not be read ({exc.strerror or exc})."
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # json's message says where the text stopped: enough to spot a half-written file.
            reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            return f"Skipped {name}: {reason}."

    # -- hidden entries ----------------------------------------------------
    def _hidden_path(self, exercise_id: str) -> Path:
        return self.class_dir / exercise_id / HIDDEN_FILE

    def hidden(self, exercise_id: str) -> dict[str, str]:
        """Hidden card keys of ``exercise_id`` -> their text (for the 'show again' list)."""
        path = self._hidden_path(exercise_id)
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return {}  # only the facilitator's own list counts
            data = json.loads(_read_no_follow(path, (info.st_mtime_ns, info.st_size, info.st_ino, info.st_uid)))
        except (OSError, ValueError):
            return {}
        hidden = data.get("hidden") if isinstance(data, dict) else None
        if not isinstance(hidden, dict):
            return {}
        return {str(k): str(v) for k, v in hidden.items()}

    def set_hidden(self, exercise_id: str, key: str, text: str, hide: bool = True) -> None:
        """Hide (or show again) the card ``key`` of ``exercise_id``; atomic like every other write."""
        hidden = self.hidden(exercise_id)
        if hide:
            hidden[key] = text
        else:
            hidden.pop(key, None)
        try:
            with open_folder(self.class_dir.resolve()) as class_fd:
                with open_folder(exercise_id, dir_fd=class_fd) as folder_fd:
                    write_json(folder_fd, HIDDEN_FILE, {"format": 1, "hidden": hidden})
        except ClassDirError as exc:
            raise OSError(str(exc)) from None


# -- summaries ------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    """One distinct brainstorm entry on the flip chart (same words from several trainees = one card)."""

    key: str
    text: str
    count: int
    names: tuple[str, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ThemeGroup:
    label: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class BrainstormSummary:
    exercise: ExerciseBase
    participants: int
    groups: tuple[ThemeGroup, ...]  # each card under its first theme; no-theme cards last
    theme_counts: tuple[tuple[str, int], ...]  # entries mentioning each theme, in content order
    hidden: dict[str, str]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class BandSummary:
    """Self-assessment: how many trainees fall in each band. Anonymous by construction: no names."""

    exercise: ExerciseBase
    participants: int
    bands: tuple[tuple[str, int], ...]  # complete self-assessments per band, in the content's band order
    in_progress: int  # took part but have not answered every statement yet
    notes: tuple[str, ...]


@dataclass(frozen=True)
class OptionCount:
    option_id: str
    text: str
    correct: bool
    count: int


@dataclass(frozen=True)
class QuestionCount:
    question_id: str
    text: str
    answered: int
    options: tuple[OptionCount, ...]


@dataclass(frozen=True)
class ChoiceSummary:
    exercise: ExerciseBase
    participants: int
    questions: tuple[QuestionCount, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ItemSort:
    """How the room sorted one classify item: placements per group, in the content's group order."""

    item_id: str
    text: str
    correct_group: str
    counts: tuple[tuple[str, int], ...]  # (group id, trainees who put the item there)
    placed: int

    @property
    def wrong(self) -> int:
        return self.placed - dict(self.counts).get(self.correct_group, 0)

    @property
    def confusion(self) -> float:
        """Share of placements outside the right group (0 when nobody placed the item)."""
        return self.wrong / self.placed if self.placed else 0.0


@dataclass(frozen=True)
class ClassifySummary:
    """Classify: per item, how many trainees put it in each group; most-confused items first."""

    exercise: ExerciseBase
    participants: int
    groups: tuple[tuple[str, str], ...]  # (group id, label) in content order
    items: tuple[ItemSort, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class OtherSummary:
    """An activity type the board has no special view for: participants only."""

    exercise: ExerciseBase
    participants: int
    notes: tuple[str, ...] = field(default=())


Summary = BrainstormSummary | BandSummary | ChoiceSummary | ClassifySummary | OtherSummary


def _took_part(entry: Entry) -> bool:
    return bool(entry.answer)


def _brainstorm(exercise: ExerciseBase, read: ClassEntries, hidden: dict[str, str]) -> BrainstormSummary:
    labels = [theme.label for theme in exercise.themes]  # type: ignore[attr-defined]
    cards: dict[str, dict[str, Any]] = {}
    theme_counts: Counter[str] = Counter()
    participants = 0
    for entry in read.entries:
        if not _took_part(entry):
            continue
        participants += 1
        mine: set[str] = set()  # one trainee's repeated entry counts once
        for verdict, key in entry.derived:
            if key is None or key in hidden or key in mine:
                continue
            mine.add(key)
            card = cards.get(key)
            if card is None:
                card = cards[key] = {"text": verdict.text, "names": [], "themes": verdict.themes, "count": 0}
            card["count"] += 1
            card["names"].append(entry.name)
            theme_counts.update(verdict.themes)
    grouped: dict[str, list[Card]] = {label: [] for label in [*labels, NO_THEME]}
    for key, card in cards.items():
        themes = tuple(card["themes"])
        grouped[themes[0] if themes else NO_THEME].append(
            Card(key, card["text"], card["count"], tuple(card["names"]), themes)
        )
    groups = tuple(
        ThemeGroup(label, tuple(sorted(found, key=lambda c: (-c.count, c.text.casefold()))))
        for label, found in grouped.items() if found
    )
    counts = tuple((label, theme_counts[label]) for label in labels)
    return BrainstormSummary(exercise, participants, groups, counts, hidden, read.notes)


def _bands(exercise: ExerciseBase, read: ClassEntries) -> BandSummary:
    taking_part = [e for e in read.entries if _took_part(e)]
    counts = Counter(e.derived for e in taking_part if e.derived is not None)
    order = [getattr(b, "label", str(b)) for b in getattr(exercise, "bands", []) or []]
    order += sorted(label for label in counts if label not in order)
    bands = tuple((label, counts[label]) for label in order)
    in_progress = sum(e.derived is None for e in taking_part)
    return BandSummary(exercise, len(taking_part), bands, in_progress, read.notes)


def _choice(exercise: ExerciseBase, read: ClassEntries) -> ChoiceSummary:
    taking_part = [e for e in read.entries if _took_part(e)]
    questions = []
    for question in exercise.questions:  # type: ignore[attr-defined]
        picked = Counter()
        answered = 0
        for entry in taking_part:
            chosen = entry.answer.get(question.id) or []
            answered += bool(chosen)
            picked.update(set(chosen))
        options = tuple(OptionCount(o.id, o.text, o.correct, picked[o.id]) for o in question.options)
        questions.append(QuestionCount(question.id, question.text, answered, options))
    return ChoiceSummary(exercise, len(taking_part), tuple(questions), read.notes)


def _classify(exercise: ExerciseBase, read: ClassEntries) -> ClassifySummary:
    taking_part = [e for e in read.entries if _took_part(e)]
    groups = tuple((group.id, group.label) for group in exercise.groups)  # type: ignore[attr-defined]
    known = {group_id for group_id, _label in groups}
    sorts = []
    for item in exercise.items:  # type: ignore[attr-defined]
        # A group id the content no longer has (an old entry) is not counted as a placement.
        placed = Counter(e.answer[item.id] for e in taking_part if e.answer.get(item.id) in known)
        counts = tuple((group_id, placed[group_id]) for group_id, _label in groups)
        sorts.append(ItemSort(item.id, item.text, item.group, counts, sum(placed.values())))
    order = {item.item_id: n for n, item in enumerate(sorts)}
    # Most confused first; among equals the one more trainees got wrong; then the content's order.
    sorts.sort(key=lambda i: (-i.confusion, -i.wrong, order[i.item_id]))
    return ClassifySummary(exercise, len(taking_part), groups, tuple(sorts), read.notes)


def summarise(exercise: ExerciseBase | str, folder: ClassFolder) -> Summary:
    """What the board shows for one activity (see the module docstring)."""
    if isinstance(exercise, str):
        exercise = load_exercise(exercise)
    try:
        read = folder.read(exercise)
    except (ModuleNotFoundError, AttributeError) as exc:  # e.g. a scorer that is not there yet
        return OtherSummary(exercise, 0, (f"This activity cannot be shown yet ({exc}).",))
    if exercise.type == "brainstorm":
        return _brainstorm(exercise, read, folder.hidden(exercise.id))
    if exercise.type == "true_false":
        return _bands(exercise, read)
    if exercise.type == "choice":
        return _choice(exercise, read)
    if exercise.type == "classify":
        return _classify(exercise, read)
    return OtherSummary(exercise, sum(_took_part(e) for e in read.entries), read.notes)


def load_activity(exercise_id: str) -> ExerciseBase | None:
    """The exercise of a class-folder activity, or None when no content file matches it."""
    try:
        return load_exercise(exercise_id)
    except ContentError:
        return None
