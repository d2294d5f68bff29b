"""The live board on JupyterHub: publishing through the live-answers service and board refreshes, N trainees.

    .venv/bin/python benchmarks/hub_board.py [--trainees 30 100] [--runs 5]

Starts the tests' hub (tests/hub/board_hub.py: a real JupyterHub and
configurable-http-proxy on 127.0.0.1 with the live-board and live-answers
services as ``hub_services()`` makes them) with the largest N trainees, each
with their own hub token (what a trainee's server holds), then for each N:

* publish: every trainee's brainstorm answer POSTed to the live-answers
  service (the hub checks the token once, then its answer is cached for five
  minutes; the entry is written atomically), one after the other: median and
  95th percentile per answer; then all N again with 8 at a time: answers per
  second. Beside it, the one-machine way: ``publish_answer`` into a class
  folder, per answer;
* board refresh: the facilitator's board fragment over HTTP (token check,
  reading the class folder, aggregating, HTML and chart), first and warm
  (nothing changed), as the median of ``--runs``; beside it the same
  aggregation and drawing in this process, so the HTTP and auth share shows.

Simulated trainees are HTTP clients, not trainee servers (a JupyterLab per
trainee does not fit on 2 cores in the hundreds; tests/hub's end-to-end test
runs real ones). Figures are printed; nothing fails on time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib.live.aggregate import ClassFolder, summarise  # noqa: E402
from course_lib.live.config import LiveConfig  # noqa: E402
from course_lib.live.hub_publish import publish_to_hub  # noqa: E402
from course_lib.live.publish import publish_answer  # noqa: E402
from course_lib.live.render import render  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402
from tests.hub.board_hub import FACILITATOR, running_board_hub  # noqa: E402

ACTIVITY = "m1-brainstorm"
IDEAS = ["Listen to the whole question before answering", "Call back the customer at the time I promised",
         "Thank every caller by name before closing the call", "Explain the options in plain words",
         "Follow up by e-mail the same day", "Apologise once and then fix the problem"]


def answer(n: int) -> list[str]:
    return [IDEAS[n % len(IDEAS)], f"{IDEAS[(n + 2) % len(IDEAS)]} for customer {n}"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def fetch(url: str, token: str) -> float:
    start = time.perf_counter()
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(set(args.trainees))
    exercise = load_exercise(ACTIVITY)
    with tempfile.TemporaryDirectory(prefix="hub-board-bench-") as work:
        started = time.perf_counter()
        with running_board_hub(Path(work), extra_users=sizes[-1]) as hub:
            print(f"hub, proxy and both services up in {time.perf_counter() - started:.1f} s "
                  f"({sizes[-1]} trainees configured)")
            names = [f"t{n:04d}" for n in range(1, sizes[-1] + 1)]
            started = time.perf_counter()
            tokens = {name: hub.token_for(name) for name in names}
            print(f"{len(tokens)} trainee tokens made through the hub API in {time.perf_counter() - started:.1f} s")
            facilitator = hub.token_for(FACILITATOR, scopes=[])
            fragment = f"{hub.board_url}fragment?activity={ACTIVITY}"
            local = Path(work) / "file-class"
            done = 0
            print(f"\n{'N':>5} | {'hub publish median':>18} | {'p95':>9} | {'8 at a time':>12} | "
                  f"{'file publish':>12} | {'board first':>11} | {'board warm':>10} | {'in-process warm':>15}")
            for size in sizes:
                times = []
                for n, name in enumerate(names[done:size], start=done):
                    start = time.perf_counter()
                    publish_to_hub(ACTIVITY, "brainstorm", answer(n), url=hub.live_url, token=tokens[name])
                    times.append(time.perf_counter() - start)
                done = size
                batch = names[:size]
                start = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda item: publish_to_hub(ACTIVITY, "brainstorm", answer(item[0] + 1),
                                                              url=hub.live_url, token=tokens[item[1]]),
                                  enumerate(batch)))
                rate = size / (time.perf_counter() - start)
                file_times = []
                for n, name in enumerate(batch):
                    start = time.perf_counter()
                    publish_answer(ACTIVITY, "brainstorm", answer(n), LiveConfig(local, name, name, "on"))
                    file_times.append(time.perf_counter() - start)
                first = fetch(fragment, facilitator)
                warm = statistics.median(fetch(fragment, facilitator) for _ in range(args.runs))
                folder = ClassFolder(hub.class_dir)
                render(summarise(exercise, folder))
                in_process = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    render(summarise(exercise, folder))
                    in_process.append(time.perf_counter() - start)
                p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
                print(f"{size:>5} | {ms(statistics.median(times)):>18} | {ms(p95):>9} | {rate:>8.0f} /s | "
                      f"{ms(statistics.median(file_times)):>12} | {ms(first):>11} | {ms(warm):>10} | "
                      f"{ms(statistics.median(in_process)):>15}")
    print("\nhub publish: one trainee's POST after the previous one's reply (first use of a token included);"
          " board: the facilitator's fragment over HTTP, median of warm runs; in-process: aggregation + HTML + chart.")


if __name__ == "__main__":
    main()
