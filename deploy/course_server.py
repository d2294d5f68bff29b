"""Names and paths of the course server, in one place.

`deploy/jupyterhub_config.py`, the board service, the Kubernetes values and
their consistency test all read these, so a rename happens here only.
"""

from __future__ import annotations

__all__ = [
    "BOARD_SERVICE",
    "CLASS_DIR",
    "COURSE_ID",
    "EXCHANGE_DIR",
    "EXCHANGE_SERVICE",
    "EXCHANGE_STORE",
    "FACILITATORS",
    "GRADER_SERVICE",
    "GRADER_USER",
    "INSTRUCTORS",
    "LIVE_SERVICE",
    "TRAINEES",
]

# JupyterHub groups; each carries one role (see jupyterhub_config.py).
TRAINEES = "trainees"
INSTRUCTORS = "instructors"
FACILITATORS = "facilitators"

# The course as nbgrader knows it, and the OS account that owns its course folder.
COURSE_ID = "customer-service"
GRADER_USER = "grader-customer-service"

# Hub-managed services.
GRADER_SERVICE = "formgrader"  # nbgrader's formgrader, for instructors
BOARD_SERVICE = "live-board"  # the facilitators' board, behind hub OAuth
LIVE_SERVICE = "live-answers"  # where trainees' kernels publish lesson answers
EXCHANGE_SERVICE = "course-exchange"  # the nbgrader exchange as a service (opt-in: COURSE_EXCHANGE_SERVICE=1)

# Shared folders on the server (a volume on Kubernetes).
EXCHANGE_DIR = "/srv/nbgrader/exchange"
CLASS_DIR = "/srv/course/live"
EXCHANGE_STORE = "/srv/course/exchange-service"  # the exchange service's private folder
