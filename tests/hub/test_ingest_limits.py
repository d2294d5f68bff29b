"""The live-answers service refuses oversized and deeply nested bodies early, never with a 5xx.

Served like the hub serves it (``HTTPServer(app)``, no ``max_body_size`` given, see
``hub_app.serve``) on 127.0.0.1 in a thread; the hub's token check is replaced by a fixed
trainee, since these tests are about the body, not about who sends it (the real hub is in
test_board_service.py).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tornado.httpserver import HTTPServer

from course_lib.live import hub_ingest
from course_lib.live.hub_ingest import MAX_BODY_BYTES, AnswersHandler, make_app


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """(port, path) of the real answers app on 127.0.0.1, every caller being trainee 'ana'."""
    mp = pytest.MonkeyPatch()
    mp.setattr(AnswersHandler, "get_current_user", lambda self: {"kind": "user", "name": "ana"})
    mp.setenv("JUPYTERHUB_SERVICE_PREFIX", "/services/live-answers/")
    app = make_app(Path(tmp_path_factory.mktemp("class")))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    ready, stop = threading.Event(), threading.Event()
    holder: dict = {}

    def run() -> None:
        async def main() -> None:
            server = HTTPServer(app, xheaders=True)  # as hub_app.serve: no max_body_size
            server.add_sockets([sock])
            holder["loop"], holder["done"] = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            await holder["done"].wait()
            server.stop()

        asyncio.run(main())
        stop.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port, "/services/live-answers/api/answers"
    holder["loop"].call_soon_threadsafe(holder["done"].set)
    stop.wait(10)
    mp.undo()


def _exchange(port: int, head: bytes, body_parts: Iterable[bytes] = ()) -> tuple[int, dict]:
    """Send ``head`` then as much of the body as the server takes; return (status, JSON body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        try:
            for part in body_parts:
                conn.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking it all: what we want
        data = b""
        while True:
            try:
                more = conn.recv(65536)
            except ConnectionResetError:
                break
            if not more:
                break
            data += more
            if b"\r\n\r\n" in data:
                header, _, rest = data.partition(b"\r\n\r\n")
                length = [
                    int(line.split(b":")[1])
                    for line in header.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                if length and len(rest) >= length[0]:
                    break
    header, _, rest = data.partition(b"\r\n\r\n")
    status = int(header.split(b" ")[1])
    return status, json.loads(rest) if rest else {}


def _post(port: int, path: str, body: bytes) -> tuple[int, dict]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return _exchange(port, head.encode(), iter([body]))


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """Sizes of the bodies the handler handed to json.loads."""
    seen: list[int] = []
    real = json.loads

    def spy(data, *args, **kwargs):
        seen.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(hub_ingest, "json", SimpleNamespace(loads=spy))  # the handler's json only
    return seen


def test_a_10_mb_body_gets_413_before_it_is_read(service, parses) -> None:
    port, path = service
    size = 10_000_000
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode()
    # Only the headers are sent: the answer must come without waiting for the body.
    status, body = _exchange(port, head)
    assert status == 413
    assert body == {"error": f"body too large: limit {MAX_BODY_BYTES} bytes"}
    # And sending the whole 10 MB: 413 too (the server may close before taking it all).
    chunk = b"[" + b"1," * 32767 + b"1]"
    status, body = _exchange(port, head, iter([chunk] * (size // len(chunk))))
    assert status == 413
    assert parses == []


def test_a_chunked_oversized_body_gets_413(service, parses) -> None:
    port, path = service
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
    )
    piece = b"x" * 16384
    parts = [b"%x\r\n%s\r\n" % (len(piece), piece)] * (MAX_BODY_BYTES // len(piece) + 4) + [b"0\r\n\r\n"]
    status, body = _exchange(port, head, iter(parts))
    assert status == 413
    assert body == {"error": f"body too large: limit {MAX_BODY_BYTES} bytes"}
    assert parses == []


def test_a_100000_deep_array_gets_400(service) -> None:
    port, path = service
    deep = b"[" * 100_000 + b"]" * 100_000
    status, body = _post(port, path, deep)
    assert status == 400
    assert body["error"].startswith("answer JSON nested too deeply")
    answer = json.dumps({"exercise": "x", "type": "y", "answer": None})[:-1].encode() + b', "deep": ' + deep + b"}"
    status, body = _post(port, path, answer)
    assert status == 400
    assert body["error"].startswith("answer JSON nested too deeply")


def test_a_small_chunked_body_is_still_read(service) -> None:
    port, path = service
    payload = json.dumps({"exercise": "no-such-activity", "type": "quiz", "answer": 1}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
    )
    status, body = _exchange(port, head, iter([b"%x\r\n%s\r\n" % (len(payload), payload), b"0\r\n\r\n"]))
    assert status == 404, body
    assert "no-such-activity" in body["error"]


_json_ish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["exercise", "type", "answer", "x"]), inner, max_size=4)
    ),
    max_leaves=20,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    _json_ish.map(lambda v: json.dumps(v).encode()),
    st.tuples(st.sampled_from([b"[", b"{", b'{"a":']), st.integers(0, 5000)).map(lambda t: t[0] * t[1]),
    st.builds(
        lambda ex, ty, ans: json.dumps({"exercise": ex, "type": ty, "answer": ans}).encode(),
        st.sampled_from(["welcome-quiz", "module1-quiz", "x", "", "a" * 70]),
        st.sampled_from(["quiz", "choice", "text", "brainstorm", None]),
        _json_ish,
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=_bodies)
def test_arbitrary_bodies_never_get_a_5xx(service, raw: bytes) -> None:
    port, path = service
    status, body = _post(port, path, raw)
    assert 200 <= status < 500, (status, body)
    if status >= 400:
        assert isinstance(body.get("error"), str) and body["error"]
