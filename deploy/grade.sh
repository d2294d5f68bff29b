#!/usr/bin/env bash
# Grade on the course server: `course grade` as root in the grader account's course folder, then the
# results handed back to that account (formgrader runs as it).
#
#   sudo bash deploy/grade.sh module1            # any `course grade` option may follow
#
# Why root: ConfinedExecute (course_lib/sandbox) then runs each trainee's notebook under a fresh uid
# in its own namespaces, so a submission cannot read the gradebook, the solutions or other
# submissions. Run by the grader account itself (e.g. in formgrader's terminal) it falls back to a
# throw-away copy as that account, which the course folder's owner can always read.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
prefix="${COURSE_PREFIX:-/opt/customer-service-course}"
read -r course_dir grader < <(cd "$repo" && "$prefix/bin/python" -c \
  'from deploy.server_layout import layout; w = layout(); print(w.course_dir, w.grader_user)')
cd "$course_dir"
status=0
"$prefix/bin/course" grade "$@" || status=$?
# -h -P: change links themselves and never follow one (a submission may hold links).
chown -R -h -P "$grader:" "$course_dir"
exit "$status"
