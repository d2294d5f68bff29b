"""``course``: the instructor's commands for a deadline, each a thin layer over nbgrader.

    course release module1            # nbgrader generate_assignment module1 --force
                                      #   && nbgrader release_assignment module1
    course collect module1            # nbgrader collect module1
    course grade module1              # nbgrader autograde module1 && nbgrader generate_feedback module1
                                      #   (in parallel, with a progress bar and a summary)
    course feedback module1           # nbgrader generate_feedback module1 --force, on all cores (after hand grading)
    course release-feedback module1   # nbgrader release_feedback module1
    course roster roster.csv          # nbgrader db student import roster.csv, with checks
    course trainee-config             # the trainees' nbgrader config (exchange, course id)
    course export --all -o grades.csv # like nbgrader export, plus a column per exercise, properly quoted
    course report -o report.html      # the cohort at a glance (no nbgrader equivalent)
    course certificate                # certificates for those who passed; --verify CODE checks one
    course schema -o exercise.schema.json  # JSON Schema of exercise content files, for authors' editors

Options that nbgrader understands (``--Exchange.root=/srv/exchange``,
``--CourseDirectory.db_url=...``) may be added to any command and are passed on.
Run it in the course folder (the one holding nbgrader_config.py) or give
``--course-dir``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .iri_grammar import defer_iri_grammar

defer_iri_grammar()  # before anything imports nbformat: 0.5-1 s off every command's start

if TYPE_CHECKING:  # pragma: no cover - for type checkers only (the commands import lazily)
    from .cohort.gradebook import Cohort, CourseSettings

__all__ = ["build_parser", "main", "run"]

_WRAPS = {
    "release": "nbgrader generate_assignment ASSIGNMENT --force, then nbgrader release_assignment ASSIGNMENT",
    "collect": "nbgrader collect ASSIGNMENT",
    "grade": "nbgrader autograde ASSIGNMENT, then nbgrader generate_feedback ASSIGNMENT",
    "feedback": "nbgrader generate_feedback ASSIGNMENT --force, on all cores",
    "release-feedback": "nbgrader release_feedback ASSIGNMENT",
    "roster": "nbgrader db student import ROSTER, with every row checked first",
    "trainee-config": "no nbgrader command; writes a config file that trainees' nbgrader reads",
    "export": "nbgrader export (which has no per-exercise columns and does not quote names)",
    "report": "no nbgrader equivalent; reads the gradebook and the graded answers",
    "certificate": "no nbgrader equivalent; reads the gradebook",
    "schema": "no nbgrader equivalent; exported from the content models",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course", description="Release, collect, grade, export and report a cohort's work (wraps nbgrader).",
        epilog="Extra --Class.trait=value options are passed to nbgrader.",
    )
    parser.add_argument("--course-dir", type=Path, default=Path.cwd(),
                        help="the course folder, holding nbgrader_config.py (default: the current folder)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=f"{summary} (wraps: {_WRAPS[name]})",
                              description=f"{summary}. Wraps: {_WRAPS[name]}.")

    release = command("release", "regenerate the release of an assignment and put it in the exchange")
    release.add_argument("assignment")
    release.add_argument("--exchange", help="exchange folder (sets --Exchange.root)")
    release.add_argument("--no-generate", action="store_true",
                         help="release exercises/ as it is, without nbgrader generate_assignment")

    collect = command("collect", "collect the submissions of an assignment from the exchange into submitted/")
    collect.add_argument("assignment")
    collect.add_argument("--exchange", help="exchange folder (sets --Exchange.root)")

    grade = command("grade", "autograde every submission on all cores, then write each trainee's feedback")
    grade.add_argument("assignments", nargs="*", metavar="assignment")
    grade.add_argument("--all", action="store_true", help="every assignment in the gradebook")
    grade.add_argument("--workers", type=int, help="grading processes (default: one per core without kernels, "
                       "two per core when notebooks run)")
    grade.add_argument("--timeout", type=int, help="seconds a cell may run (default: Execute.timeout of the config)")
    grade.add_argument("--force", action="store_true", help="regrade submissions that are already graded")
    grade.add_argument("--student", action="append", help="grade only this trainee (repeatable)")
    grade.add_argument("--no-feedback", action="store_true", help="skip nbgrader generate_feedback")
    grade.add_argument("--execute", action="store_true",
                       help="run every notebook in a kernel, even an assignment whose auto-graded cells are all "
                       "widget checks (graded without a kernel by default, with the same scores)")
    grade.add_argument("--shard", metavar="K/N",
                       help="grade only shard K of N (each trainee is in one shard): run N of these, on several "
                       "machines sharing the course folder and a PostgreSQL gradebook, with the same N")
    grade.add_argument("--nbgrader-steps", action="store_true",
                       help="write the gradebook rows of kernel-free assignments with nbgrader's own steps, one "
                       "submission at a time, instead of in bulk (the same rows; slower)")

    feedback = command("feedback", "write each trainee's feedback again from the gradebook, with hand-given "
                       "scores and comments (notebooks are not run again)")
    feedback.add_argument("assignments", nargs="*", metavar="assignment")
    feedback.add_argument("--all", action="store_true", help="every assignment in the gradebook")
    feedback.add_argument("--workers", type=int, help="processes (default: one per core)")
    feedback.add_argument("--student", action="append", help="only this trainee (repeatable)")

    release_fb = command("release-feedback", "put the feedback in the exchange, where each trainee fetches their own")
    release_fb.add_argument("assignments", nargs="*", metavar="assignment")
    release_fb.add_argument("--all", action="store_true", help="every assignment in the gradebook")
    release_fb.add_argument("--exchange", help="exchange folder (sets --Exchange.root)")

    roster = command("roster", "add the trainees' ids, names and e-mail addresses to the gradebook")
    roster.add_argument("roster", type=Path,
                        help="UTF-8 CSV with a header row: id (required), first_name, last_name, email")

    trainee = command("trainee-config", "write the nbgrader config trainees need to fetch and submit "
                      "(the exchange folder and the course id, nothing else)")
    trainee.add_argument("-o", "--output", type=Path, default=None,
                         help="where to write it (default /etc/jupyter/nbgrader_config.py, read by every "
                              "user's Jupyter; see `jupyter --paths`)")
    trainee.add_argument("--exchange", help="exchange folder (default: Exchange.root of the course's config)")
    trainee.add_argument("--force", action="store_true", help="replace a file this command did not write")
    trainee.add_argument("--shared-account", action="store_true",
                         help="every trainee runs as one OS account (tests, containers): file submissions under "
                              "JUPYTERHUB_USER, which a trainee can change; by default the id is the OS account")

    export = command("export", "write the grades CSV: a row per trainee, a column per exercise and module, totals")
    export.add_argument("assignments", nargs="*", metavar="assignment", help="default: every assignment")
    export.add_argument("--all", action="store_true", help="every assignment (the default)")
    export.add_argument("-o", "--output", default="grades.csv", help="CSV file, or - for stdout (default grades.csv)")

    report = command("report", "write the cohort report: one HTML page with charts")
    report.add_argument("assignments", nargs="*", metavar="assignment", help="default: every assignment")
    report.add_argument("-o", "--output", default="report.html", help="HTML file (default report.html)")
    report.add_argument("--title", default="Customer Service Workbook: cohort report")
    report.add_argument("--class-dir", type=Path, default=None,
                        help="the live class folder holding the reaction surveys (default: as the board's)")

    from .cohort.certificate_command import add_arguments as certificate_arguments

    certificate_arguments(command("certificate", "write a printable certificate (HTML and PDF) for each trainee "
                                  "who passed every module's threshold, or check one with --verify CODE"))

    schema = command("schema", "print the JSON Schema of exercise content files (completion and errors in an "
                     "author's editor; needs no course folder)")
    schema.add_argument("-o", "--output", type=Path, default=None, help="write it to this file instead")
    schema.add_argument("--builtin", action="store_true",
                        help="only the built-in exercise types (as shipped in course_lib/content/schema/)")
    return parser


def _exchange(args: argparse.Namespace, extra: list[str]) -> list[str]:
    return [*([f"--Exchange.root={args.exchange}"] if args.exchange else []), *extra]


def _release(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.nbgrader_cli import run_nbgrader

    if not args.no_generate:
        status = run_nbgrader(args.course_dir, ["generate_assignment", args.assignment, "--force"])
        if status:
            return status
    return run_nbgrader(args.course_dir, ["release_assignment", args.assignment, *_exchange(args, extra)])


def _collect(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.nbgrader_cli import run_nbgrader

    return run_nbgrader(args.course_dir, ["collect", args.assignment, *_exchange(args, extra)])


def _grade(args: argparse.Namespace, extra: list[str]) -> int:
    from .grader.early_check import early_check  # nothing heavy: the checkers fork before nbgrader loads
    from .grader.shards import Shard

    try:
        shard = Shard.parse(args.shard) if args.shard else None
    except ValueError as exc:
        print(f"course grade: {exc}", file=sys.stderr)
        return 2
    if not (args.assignments or args.all):
        print("course grade: name an assignment (or --all)", file=sys.stderr)
        return 2
    waiting = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    with early_check(args.course_dir, None if args.all else list(args.assignments), args.student,
                     not args.no_feedback, shard, args.force, waiting) as early:
        from .cohort.gradebook import assignment_names, course_settings
        from .grader.cohort import grade_cohort

        # Load the config first, strictly: grading without it would skip the trusted re-scoring.
        settings = course_settings(args.course_dir, extra)
        assignments = assignment_names(settings.db_url, settings.course_id) if args.all else args.assignments
        if not assignments:
            print("course grade: name an assignment (or --all)", file=sys.stderr)
            return 2
        summary = grade_cohort(
            args.course_dir, assignments, students=args.student, workers=args.workers, force=args.force,
            feedback=not args.no_feedback, timeout=args.timeout, nbgrader_args=extra, execute=args.execute,
            nbgrader_steps=args.nbgrader_steps, shard=shard, early=early,
        )
    print(summary.text())
    return 1 if summary.failed else 0


def _assignments(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """The assignments named, or with --all every assignment in the gradebook."""
    from .cohort.gradebook import assignment_names, course_settings

    settings = course_settings(args.course_dir, extra)  # strict: a broken config stops here
    if args.all:
        return assignment_names(settings.db_url, settings.course_id)
    return args.assignments


def _each_assignment(args: argparse.Namespace, extra: list[str], step: list[str], after: list[str]) -> int:
    from .cohort.nbgrader_cli import run_nbgrader

    assignments = _assignments(args, extra) if (args.assignments or args.all) else []
    if not assignments:
        print(f"course {args.command}: name an assignment (or --all)", file=sys.stderr)
        return 2
    status = 0
    for assignment in assignments:
        status = run_nbgrader(args.course_dir, [*step, assignment, *after]) or status
    return status


def _feedback(args: argparse.Namespace, extra: list[str]) -> int:
    from .grader.feedback import feedback_cohort

    assignments = _assignments(args, extra) if (args.assignments or args.all) else []
    if not assignments:
        print("course feedback: name an assignment (or --all)", file=sys.stderr)
        return 2
    summary = feedback_cohort(args.course_dir, assignments, students=args.student, workers=args.workers,
                              nbgrader_args=extra)
    print(summary.text())
    return 1 if summary.failed else 0


def _release_feedback(args: argparse.Namespace, extra: list[str]) -> int:
    return _each_assignment(args, extra, ["release_feedback"], _exchange(args, extra))


def _roster(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.gradebook import course_settings
    from .cohort.roster import import_roster
    from .grader.locking import lock_path_for

    settings = course_settings(args.course_dir, extra)
    entries = import_roster(args.roster, settings.db_url, settings.course_id,
                            lock_path_for(settings.db_url, settings.root))
    print(f"Imported {len(entries)} trainee(s) from {args.roster} into the gradebook")
    return 0


def _trainee_config(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.gradebook import course_settings
    from .cohort.trainee_config import DEFAULT_PATH, write_trainee_config

    settings = course_settings(args.course_dir, extra)
    exchange = os.path.abspath(args.exchange or settings.exchange_root)
    try:
        path = write_trainee_config(args.output or DEFAULT_PATH, exchange, settings.course_id, force=args.force,
                                    shared_account=args.shared_account)
    except OSError as exc:
        print(f"course trainee-config: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {path}: trainees' nbgrader uses the exchange {exchange} for course {settings.course_id!r}.\n"
          "It is read when it sits in a folder of `jupyter --paths` (config) for every trainee, e.g. "
          "/etc/jupyter, or in the folder that JUPYTER_CONFIG_PATH names.")
    return 0


def _cohort(args: argparse.Namespace, extra: list[str]) -> tuple[CourseSettings, Cohort]:
    from .cohort.gradebook import course_settings, read_cohort

    settings = course_settings(args.course_dir, extra)
    return settings, read_cohort(settings.db_url, settings.course_id, args.assignments or None)


def _export(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.export import write_csv

    _, cohort = _cohort(args, extra)
    count = write_csv(cohort, sys.stdout if args.output == "-" else args.output)
    if args.output != "-":
        print(f"Wrote {count} trainee(s) to {args.output}")
    return 0


def _report(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.report import write_report

    settings, cohort = _cohort(args, extra)
    write_report(cohort, settings.autograded, args.output, title=args.title, class_dir=args.class_dir)
    print(f"Wrote the report of {len(cohort.trainees)} trainee(s) to {args.output}")
    return 0


def _certificate(args: argparse.Namespace, extra: list[str]) -> int:
    from .cohort.certificate_command import run

    return run(args, extra)


def _schema(args: argparse.Namespace, extra: list[str]) -> int:
    from .atomic import write_text_atomic
    from .models.schema import schema_text

    text = schema_text(builtin_only=args.builtin)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.output, text)
        print(f"Wrote the exercise content schema to {args.output}")
    return 0


_COMMANDS = {
    "release": _release, "collect": _collect, "grade": _grade, "feedback": _feedback,
    "release-feedback": _release_feedback, "roster": _roster, "trainee-config": _trainee_config,
    "export": _export, "report": _report, "certificate": _certificate, "schema": _schema,
}


def _without_iri_parsers() -> None:
    """Keep ``rfc3987_syntax`` out of this process: jsonschema imports it (through nbformat) only to check the
    "iri" formats, which neither nbformat's schema nor the course's use, and it builds ~38 Lark parsers at
    import, 1.4 s of every command measured here (jsonschema#1428). Without it jsonschema skips that check."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "import fails"


def main(argv: Sequence[str] | None = None) -> int:
    _without_iri_parsers()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    unknown = [a for a in extra if not (a.startswith("--") and "." in a.split("=", 1)[0])]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.course_dir = args.course_dir.resolve()
    if args.command != "schema" and not (args.course_dir / "nbgrader_config.py").is_file():
        parser.error(f"{args.course_dir} has no nbgrader_config.py: run in the course folder or give --course-dir")
    try:
        return _COMMANDS[args.command](args, extra)
    except ValueError as exc:  # e.g. an assignment the gradebook does not know
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2


def run() -> NoReturn:
    """The ``course`` command: :func:`main`, then leave without tearing the interpreter down.

    Freeing every object of a process that is about to end took a 10,000-trainee re-run 0.4 s after its
    work was done (nbgrader, SQLAlchemy, nbconvert and NumPy loaded). The exit handlers still run and the
    output is flushed; with another thread still alive (none is, normally), the exit is the usual one.
    """
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # logging's shutdown, multiprocessing's, finalizers registered to run at exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what could be said is said
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
