"""What the two hub-managed live services share: their prefix, their address, the private class folder.

JupyterHub starts a managed service with ``JUPYTERHUB_SERVICE_URL`` (where to
listen), ``JUPYTERHUB_SERVICE_PREFIX`` (the path the proxy forwards) and
``JUPYTERHUB_API_TOKEN``/``JUPYTERHUB_API_URL`` (for asking the hub who a
token or a cookie belongs to); see :mod:`course_lib.live.hub_service`.

In hub mode the class folder is private to the services' OS user (0700, files
0600): trainees never write or read it; the ingest writes each entry under the
hub user name, the board reads them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import stat
from pathlib import Path
from urllib.parse import urlparse

from tornado.httpserver import HTTPServer
from tornado.web import Application

from .classdir import ensure_folder, open_folder
from .config import load_config

__all__ = ["PRIVATE_FILE_MODE", "PRIVATE_MODE", "class_dir", "prepare_private_folder", "serve", "service_prefix"]

PRIVATE_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
log = logging.getLogger("course_lib.live.hub")


def service_prefix() -> str:
    """The URL prefix the proxy forwards to this service, with a trailing slash."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"


def class_dir() -> Path:
    """The class folder (``COURSE_CLASS_DIR``, set by :func:`~course_lib.live.hub_service.hub_services`)."""
    return load_config().class_dir


def prepare_private_folder(folder: Path) -> list[str]:
    """Create ``folder`` (and its activity folders' parent) private to this user; warnings to log.

    A folder left open by the one-machine set-up (1777) is closed again when it
    is ours: in hub mode no trainee writes there.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    warnings = []
    with open_folder(folder.parent.resolve()) as parent_fd:
        ensure_folder(parent_fd, folder.name, PRIVATE_MODE)
        with open_folder(folder.name, dir_fd=parent_fd) as fd:
            info = os.fstat(fd)
            if info.st_uid != os.geteuid():
                warnings.append(f"{folder} belongs to uid {info.st_uid}, not to this service's user")
            elif stat.S_IMODE(info.st_mode) != PRIVATE_MODE:
                os.fchmod(fd, PRIVATE_MODE)
                warnings.append(f"{folder} was mode {stat.S_IMODE(info.st_mode):o}; set to 700")
    return warnings


def serve(app: Application, name: str) -> None:
    """Listen where the hub said (``JUPYTERHUB_SERVICE_URL``) until SIGTERM or SIGINT.

    ``COURSE_SERVICE_IP`` overrides the address to bind: on Kubernetes the URL
    names the hub's Service (``http://hub:10101``), which a pod cannot bind.
    """
    logging.basicConfig(level=logging.INFO, format=f"[{name} %(asctime)s %(levelname)s] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    bind = os.environ.get("COURSE_SERVICE_IP") or url.hostname or "127.0.0.1"

    async def main() -> None:
        server = HTTPServer(app, xheaders=True)
        server.listen(url.port or 80, bind)
        log.info("%s listening on %s, prefix %s", name, url.geturl(), service_prefix())
        stop = asyncio.Event()
        received: list[str] = []

        def on_signal(sig: signal.Signals) -> None:
            received.append(sig.name)
            stop.set()

        loop = asyncio.get_running_loop()
        # Both, whatever this process inherited (a handler here also replaces an inherited SIG_IGN): the hub stops
        # a service with SIGINT, then SIGTERM after Spawner.interrupt_timeout.
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal, sig)
        await stop.wait()
        log.info("%s stopping on %s", name, received[0])
        server.stop()

    # asyncio.run ends by waiting for the default executor: file work in progress in a worker thread (the exchange
    # service's) finishes before the process exits; every write is a rename into place.
    asyncio.run(main())
    log.info("%s stopped", name)
