"""``course certificate``: issue certificates to every trainee who qualifies, or check a code (``--verify``)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, default=Path("certificates"),
                        help="folder for the certificates (default: certificates/)")
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="date printed on the certificates, YYYY-MM-DD (default: today)")
    parser.add_argument("--student", action="append", help="only this trainee (repeatable)")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML pages only (no Chromium needed)")
    parser.add_argument("--verify", metavar="CODE", help="check a certificate's verification code and exit")


def run(args: argparse.Namespace, extra: list[str]) -> int:
    """Exit status: 0 issued (or a valid code), 1 nobody qualified (or an invalid code), 2 a setup problem."""
    from ..evaluation import load_evaluation
    from .certificate import CertificateError, eligibility, load_secret, make_code, verify_code, write_certificate
    from .gradebook import course_settings, read_cohort

    settings = course_settings(args.course_dir, extra)
    rules = load_evaluation()
    cohort = read_cohort(settings.db_url, settings.course_id)
    try:
        secret = load_secret(settings.root, create=not args.verify)
    except CertificateError as exc:
        print(f"course certificate: {exc}", file=sys.stderr)
        return 2
    if args.verify:
        result = verify_code(args.verify, secret, cohort, rules, settings.course_id)
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
        return 0 if result.ok else 1
    day = args.date or date.today()
    output = args.output if args.output.is_absolute() else settings.root / args.output
    chosen = [t for t in cohort.trainees if not args.student or t.id in args.student]
    if args.student and (unknown := sorted(set(args.student) - {t.id for t in chosen})):
        print(f"course certificate: the gradebook has no trainee {', '.join(unknown)}", file=sys.stderr)
        return 2
    issued = 0
    for trainee in chosen:
        status = eligibility(cohort, rules, trainee)
        if not status.passed:
            print(f"{trainee.id}: no certificate: {'; '.join(status.reasons)}")
            continue
        code = make_code(secret, trainee.id, settings.course_id, day)
        try:
            paths = write_certificate(output, trainee, rules.course_title, rules.issuer, day, code, pdf=not args.no_pdf)
        except CertificateError as exc:
            print(f"course certificate: {exc}", file=sys.stderr)
            return 2
        issued += 1
        print(f"{trainee.id}: certificate {code} -> {', '.join(str(p) for p in paths)}")
    print(f"{issued} of {len(chosen)} trainee(s) qualified (thresholds: evaluation.yaml, pass_percent).")
    return 0 if issued else 1
