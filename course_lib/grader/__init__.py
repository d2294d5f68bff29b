"""The grading engine behind ``course grade`` and ``course feedback``: every submission of a cohort,
graded and given feedback on all cores, with nbgrader's gradebook as the record.

One job per module (read ``cohort.py`` first):

- ``cohort``: ``course grade`` from start to summary: checks, what to grade, the pool, the summary;
- ``summary``: each submission's outcome and the closing summary (plain data); ``task``: what there is to grade;
- ``unchanged``: which submissions a re-run can skip (markers, and the index that vouches for them);
- ``early_check``: a re-run's check started in forked checkers before nbgrader has loaded;
- ``configuration``: refuse a configuration that would let trainees change grades; say how code ran;
- ``paths``: which assignments need a kernel and which are graded without one;
- ``jobs``: submissions in jobs, the worker pool, stopping cleanly on SIGTERM or Ctrl-C;
- ``worker``: a worker process (the course's nbgrader app, forked once) and its kernel-free batches;
- ``executed``: nbgrader's own Autograde and GenerateFeedback, one submission at a time, with a kernel;
- ``kernel_free``: many submissions in one process and one gradebook transaction, no kernel;
- ``feedback``: ``course feedback``, every page again from the gradebook after hand grading;
- ``locking``: one gradebook writer at a time, one ``course grade`` per course;
- ``markers``: a submission counts as graded only once its grades are recorded;
- ``nbgrader_adapter``: the few places where nbgrader's internals are borrowed, checked at start;
- ``submission_reads``, ``gradebook_indexes``: gradebook reads that stay fast as the cohort grows;
- ``notes``: problems worth the instructor's look in a graded submission; ``progress_bar``: the bar;
- ``file_listing``, ``notebook_text``, ``known_valid``: nbgrader's file listing, ``nbformat.writes`` and
  ``nbformat.validate`` with the same answers, without repeating work that is the same for every trainee.

Why this shape (figures in docs/performance.md, from benchmarks/grade_cohort.py and
benchmarks/grade_kernel_free.py):

- Importing nbgrader takes seconds, so one process per submission would spend more time importing
  than grading. The parent loads nbgrader and the course configuration once and then *forks* the
  workers, which inherit both; each worker grades many submissions in process.
- With a kernel, most of the time goes into running each notebook, which is what runs in parallel;
  every step that reads or writes the gradebook runs under an exclusive file lock, so SQLite only
  ever sees one writer. Two workers per core then (a worker mostly waits for its kernel); without
  kernels the work is all CPU, one per core.

The instructor's reports (grades CSV, cohort report, certificates) read the gradebook this engine
writes; they live in ``course_lib.cohort``.
"""

from __future__ import annotations

__all__: list[str] = []
