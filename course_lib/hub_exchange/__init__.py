"""An nbgrader exchange served as a JupyterHub service: identity from the hub, not from uids.

nbgrader's folder exchange keeps trainees apart by file owners and modes. Where
every trainee's server runs as one uid (Kubernetes pods, containers) that keeps
nobody apart. Here the exchange is a small hub-managed Tornado service
(:mod:`.service`) that asks the hub whose API token each request carries and
files, lists and returns work under that hub name only; nbgrader talks to it
through the exchange plug-in classes in :mod:`.plugin` (``c.ExchangeFactory.*``).

Modules: :mod:`.names` (what a valid name or path is), :mod:`.archive` (folders
as checked tar.gz bodies), :mod:`.store` (the service's private folder),
:mod:`.service` (HTTP and the hub's identity), :mod:`.client` (HTTP for the
plug-in), :mod:`.plugin` (nbgrader's exchange API), :mod:`.hub` (what a hub
config and an nbgrader config add).
"""

__all__: list[str] = []
