"""The course server under load: spawn time and memory per trainee, and how many fit on this machine.

    sudo .venv/bin/python -m benchmarks.hub_spawn              # 8 simulated trainees
    sudo .venv/bin/python -m benchmarks.hub_spawn --trainees 16

Runs the real hub of deploy/jupyterhub_config.py (tests/hub/course_hub.py: system-wide install,
OS users, PAM, configurable-http-proxy on 127.0.0.1), then

1. spawns the trainees' servers one after another: seconds from the API call to "ready";
2. spawns them all again at once (a class logging in together): seconds until every one is ready;
3. starts one kernel per server that shows the module 1 brainstorm (what opening a lesson does), then
   reads the resident memory (RSS) of each trainee's processes: server alone, server + kernel.

It prints the figures and how many trainees fit: by memory (80% of RAM / RSS per trainee) and by
the concurrent start measured. Everything it creates (users, processes, folders) is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pwd
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from course_lib.sandbox.processes import processes_of  # noqa: E402
from deploy.course_server import TRAINEES  # noqa: E402
from tests.hub.course_hub import CourseHub, course_hub, hub_unavailable  # noqa: E402

__all__ = ["main"]


def rss_mib(uid: int) -> float:
    """Resident memory of every process of ``uid``, MiB."""
    total = 0
    for pid in processes_of(uid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def settled_rss(uid: int, timeout: float = 180) -> float:
    """RSS of ``uid`` once it has stopped growing for 10 s (a kernel has started and imported the course)."""
    last, since, deadline = -1.0, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = rss_mib(uid)
        if now > last + 1:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 10:
            break
        time.sleep(1)
    return last


def spawn_and_wait(hub: CourseHub, name: str) -> float:
    start = time.monotonic()
    hub.wait_for_server(name, timeout=600)
    return time.monotonic() - start


def stop_all(hub: CourseHub, names: list[str]) -> None:
    for name in names:
        hub.api("DELETE", f"/users/{name}/server")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(not hub.api("GET", f"/users/{n}")[1]["servers"] for n in names):
            return
        time.sleep(0.5)


def cpu_seconds(uid: int) -> float:
    """User + system CPU time used so far by every live process of ``uid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in processes_of(uid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def start_kernel(hub: CourseHub, name: str) -> None:
    """A kernel on ``name``'s server (its IPython startup file imports the course, as a lesson does)."""
    request = urllib.request.Request(
        f"{hub.url}/user/{name}/api/kernels", method="POST", data=json.dumps({"name": "python3"}).encode(),
        headers={"Authorization": f"token {hub.admin_token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=8, help="simulated trainees (default 8)")
    args = parser.parse_args(argv)
    reason = hub_unavailable()
    if reason:
        print(f"hub_spawn: {reason}", file=sys.stderr)
        return 1
    shorts = [f"t{i:03d}" for i in range(args.trainees)]
    with course_hub({TRAINEES: shorts}) as hub:
        names = [hub.users[s].name for s in shorts]
        # Each trainee's kernel does at start what a lesson's first cells do: show a widget (charts loaded).
        for short in shorts:
            user = hub.users[short]
            startup = user.home / ".ipython" / "profile_default" / "startup"
            done = hub.run_as(user.name, "mkdir", "-p", str(startup))
            assert done.returncode == 0, done.stderr
            lesson = "from course_lib.exercises import show; import matplotlib.pyplot; _w = show('m1-brainstorm')"
            hub.run_as(user.name, "sh", "-c", f'echo "{lesson}" > {startup}/00-course.py')

        sequential = [spawn_and_wait(hub, name) for name in names]
        server_rss = [rss_mib(pwd.getpwnam(n).pw_uid) for n in names]
        stop_all(hub, names)

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            concurrent = list(pool.map(lambda n: spawn_and_wait(hub, n), names))
        all_ready = time.monotonic() - start

        for name in names:
            start_kernel(hub, name)
        with_kernel = [settled_rss(pwd.getpwnam(n).pw_uid) for n in names]
        cpu = [cpu_seconds(pwd.getpwnam(n).pw_uid) for n in names]
        load = os.getloadavg()
        stop_all(hub, names)

    ram_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    per_trainee = statistics.median(with_kernel)
    print(f"machine: {platform.node()} {os.cpu_count()} cores, {ram_mib / 1024:.1f} GiB RAM, "
          f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}")
    print(f"trainees: {len(names)}")
    print(f"spawn, one after another: median {statistics.median(sequential):.1f} s, "
          f"max {max(sequential):.1f} s")
    print(f"spawn, all at once: median {statistics.median(concurrent):.1f} s, max {max(concurrent):.1f} s, "
          f"all {len(names)} ready after {all_ready:.1f} s")
    print(f"RSS per trainee: server alone median {statistics.median(server_rss):.0f} MiB; "
          f"server + kernel showing a widget median {per_trainee:.0f} MiB "
          f"(max {max(with_kernel):.0f}); load average after: {load[0]:.2f}")
    per_cpu = statistics.median(cpu)
    cores = os.cpu_count() or 1
    print(f"CPU to start one trainee (server + kernel showing a widget): median {per_cpu:.1f} CPU-s")
    print(f"fit by memory (80% of RAM / RSS per trainee with a kernel): {int(0.8 * ram_mib / per_trainee)} trainees")
    print(f"fit by CPU for a class logging in together within 2 minutes ({cores} cores x 120 s / CPU-s "
          f"per start): {int(cores * 120 / per_cpu)} trainees; measured here: {len(names)} started at once, "
          f"all ready in {all_ready:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
