#!/usr/bin/env bash
# Install the course system-wide for a course server (run as root, once, and again after an update):
#
#   sudo bash deploy/install.sh              # from a clone of this repository
#
# 1. a virtual environment at $COURSE_PREFIX (default /opt/customer-service-course), made from Debian's
#    /usr/bin/python3, readable by every user: trainees' servers run as their own OS users and cannot
#    read /root (a pyenv or the clone's .venv), so they import course_lib from here;
# 2. the course with JupyterHub, nbgrader and the idle culler in it (`pip install .[hub]`);
# 3. configurable-http-proxy from npm into deploy/node_modules (`npm ci --prefix deploy`);
# 4. the server's folders, grader account, course folder and per-role Jupyter config
#    (python deploy/server_setup.py; see that file).
# Then start the hub:   sudo $COURSE_PREFIX/bin/jupyterhub -f deploy/jupyterhub_config.py
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # useradd
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
prefix="${COURSE_PREFIX:-/opt/customer-service-course}"
python="${COURSE_PYTHON:-/usr/bin/python3}"
stamp="$prefix/.installed-from"
wanted="$(cd "$repo" && find pyproject.toml course_lib -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)"
umask 022  # everything installed is readable by all users
if [[ ! -x "$prefix/bin/python" ]]; then
  "$python" -m venv "$prefix"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" || "${COURSE_REINSTALL:-}" == 1 ]]; then
  "$prefix/bin/pip" install --disable-pip-version-check -q --upgrade pip
  # Not editable: the clone may sit in a folder trainees cannot read. A local folder is always rebuilt.
  "$prefix/bin/pip" install --disable-pip-version-check -q "$repo[hub]"
  echo "$wanted" > "$stamp"
fi
if [[ ! -x "$here/node_modules/.bin/configurable-http-proxy" ]]; then
  npm ci --prefix "$here" --no-audit --no-fund
fi
(cd "$repo" && "$prefix/bin/python" -m deploy.server_setup --prefix "$prefix" --repo "$repo" "$@")
