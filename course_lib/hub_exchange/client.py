"""HTTP to the exchange service, for the nbgrader plug-in: the caller's hub token on every request."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = ["ExchangeClient", "ServiceError"]


class ServiceError(RuntimeError):
    """The service refused a request (or could not be reached); ``status`` 0 when unreachable."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"exchange service: {message}" + (f" (HTTP {status})" if status else ""))
        self.status = status
        self.message = message


class ExchangeClient:
    """Calls ``<service_url>api/...`` with ``Authorization: token <token>``."""

    def __init__(self, service_url: str, token: str, timeout: float = 120) -> None:
        self.base = service_url if service_url.endswith("/") else service_url + "/"
        self.token = token
        self.timeout = timeout

    def _call(self, method: str, path: str, *, query: dict[str, str] | None = None, body: bytes | None = None,
              content_type: str = "application/gzip") -> tuple[bytes, str]:
        url = self.base + "api/" + "/".join(urllib.parse.quote(part, safe="") for part in path.split("/"))
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"token {self.token}"}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", errors="replace")
            try:
                message = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                message = text[:300] or exc.reason
            raise ServiceError(exc.code, str(message)) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ServiceError(0, f"cannot reach {self.base}: {exc}") from None

    def json(self, method: str, path: str, *, query: dict[str, str] | None = None,
             body: bytes | None = None) -> dict[str, Any]:
        data, _ = self._call(method, path, query=query, body=body)
        result = json.loads(data or b"{}")
        if not isinstance(result, dict):
            raise ServiceError(0, "unexpected answer (not a JSON object)")
        return result

    def download(self, path: str) -> bytes:
        return self._call("GET", path)[0]
