"""Submit and fetch for N simulated trainees: the exchange service beside nbgrader's folder exchange.

    sudo .venv/bin/python -m benchmarks.exchange_service              # 50 simulated trainees
    sudo .venv/bin/python -m benchmarks.exchange_service --trainees 20

Runs the real hub of deploy/jupyterhub_config.py with COURSE_EXCHANGE_SERVICE=1
(tests/hub/course_hub.py: system-wide install, configurable-http-proxy on 127.0.0.1), makes N hub
users in the trainees group, each with a hub token of their own (the scopes a trainee's server token
carries for the exchange), and releases module1 through the service. Then, in this process, through
nbgrader's own exchange classes (the plug-in of course_lib/hub_exchange, and nbgrader's default
folder exchange in a folder of its own):

1. every trainee fetches module1, one after another, then submits it: seconds per trainee;
2. all trainees fetch and submit at once (8 threads, a class pressing Submit together): wall seconds.

Same course id, same release, same submission (module1 with an answers file) on both sides. It
prints the figures side by side; everything it creates is removed.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from traitlets.config import Config  # noqa: E402

from course_lib.hub_exchange.service import SUBMIT_SCOPE  # noqa: E402
from deploy.course_server import COURSE_ID, EXCHANGE_SERVICE, TRAINEES  # noqa: E402
from tests.hub.course_hub import course_hub, hub_unavailable  # noqa: E402

__all__ = ["main"]

ANSWERS = '{"format": 1, "exercise": "m1-brainstorm", "saved_at": "2025-01-01T00:00:00+00:00", "answer": ["x"]}'


def _exchange_classes(service: bool):
    if service:
        from course_lib.hub_exchange import plugin

        return plugin.HubFetchAssignment, plugin.HubSubmit
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit

    return ExchangeFetchAssignment, ExchangeSubmit


def _run(cls, config: Config, workdir: Path, assignment: str = "module1") -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    cls(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


_local = threading.local()  # the hub token of the trainee this thread plays


def _thread_client(self):
    """The plug-in's client with this thread's trainee token (os.environ is shared by threads)."""
    from course_lib.hub_exchange.client import ExchangeClient

    return ExchangeClient(self.service_url, _local.token, timeout=self.request_timeout)


def trainee_round(service: bool, config: Config, workdir: Path) -> tuple[float, float]:
    """One trainee: fetch module1 into ``workdir``, add an answers file, submit; (fetch s, submit s)."""
    fetch_cls, submit_cls = _exchange_classes(service)
    config = copy.deepcopy(config)  # Config(config) would share its sections between threads
    config.Exchange.assignment_dir = str(workdir)
    config.Exchange.cache = str(workdir / ".cache")
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    _run(fetch_cls, config, workdir)
    fetched = time.perf_counter()
    (workdir / "module1" / "answers").mkdir(exist_ok=True)
    (workdir / "module1" / "answers" / "m1-brainstorm.json").write_text(ANSWERS, encoding="utf-8")
    _run(submit_cls, config, workdir)
    return fetched - start, time.perf_counter() - fetched


def measure(service: bool, config: Config, base: Path, tokens: list[str], workers: int) -> dict[str, float]:
    """The two rounds (one after another, then ``workers`` at once) for every trainee."""

    def play(round_name: str, index: int) -> tuple[float, float]:
        _local.token = tokens[index]
        return trainee_round(service, config, base / f"{round_name}-{index}")

    one_by_one = [play("seq", index) for index in range(len(tokens))]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda index: play("par", index), range(len(tokens))))
    together = time.perf_counter() - start
    fetches, submits = [f for f, _ in one_by_one], [s for _, s in one_by_one]
    return {"fetch_median": statistics.median(fetches), "submit_median": statistics.median(submits),
            "fetch_max": max(fetches), "submit_max": max(submits), "together": together}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8, help="trainees at once in the second round")
    args = parser.parse_args(argv)
    reason = hub_unavailable()
    if reason:
        print(f"exchange_service benchmark: {reason}", file=sys.stderr)
        return 1
    from deploy.course_server import INSTRUCTORS

    roster = {TRAINEES: [f"t{index:03d}" for index in range(args.trainees)], INSTRUCTORS: ["ines"]}
    with course_hub(roster, environment={"COURSE_EXCHANGE_SERVICE": "1",
                                         "COURSE_EXCHANGE_STORE": "{base}/exchange-service"}) as hub:
        names = [user.name for user in hub.in_group(TRAINEES)]
        tokens: list[str] = []
        for name in names:
            status, body = hub.api("POST", f"/users/{name}/tokens",
                                   {"scopes": [f"access:services!service={EXCHANGE_SERVICE}", SUBMIT_SCOPE]})
            assert status == 201, body
            tokens.append(body["token"])
        status, body = hub.api("POST", f"/users/{hub.users['ines'].name}/tokens", {})
        assert status == 201, body
        instructor_token = body["token"]
        url = f"http://127.0.0.1:{hub.port + 6}/services/{EXCHANGE_SERVICE}/"

        scratch = Path(tempfile.mkdtemp(prefix="exchange-bench-"))
        try:
            release = scratch / "course" / "release" / "module1"
            release.parent.mkdir(parents=True)
            shutil.copytree(REPO / "exercises" / "module1", release)
            common = Config()
            common.CourseDirectory.course_id = COURSE_ID
            common.CourseDirectory.root = str(scratch / "course")
            common.CourseDirectory.release_directory = "release"

            service_config = Config(common)
            service_config.HubExchange.service_url = url
            from course_lib.hub_exchange import plugin

            plugin.HubExchange.client = _thread_client  # type: ignore[method-assign]
            _local.token = instructor_token
            _run(plugin.HubReleaseAssignment, service_config, scratch)

            folder_config = Config(common)
            folder_config.Exchange.root = str(scratch / "exchange")
            (scratch / "exchange").mkdir()
            from nbgrader.exchange.default import ExchangeReleaseAssignment

            _run(ExchangeReleaseAssignment, folder_config, scratch)

            service = measure(True, service_config, scratch / "service", tokens, args.workers)
            folder = measure(False, folder_config, scratch / "folder", tokens, args.workers)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    print(f"{args.trainees} simulated trainees, module1 (release + answers file); "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"{'':38} {'exchange service':>17} {'folder exchange':>16}")
    rows = [("fetch, one trainee, median (s)", "fetch_median"), ("fetch, slowest (s)", "fetch_max"),
            ("submit, one trainee, median (s)", "submit_median"), ("submit, slowest (s)", "submit_max"),
            (f"all fetch + submit, {args.workers} at once (s)", "together")]
    for label, key in rows:
        print(f"{label:38} {service[key]:17.3f} {folder[key]:16.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
