"""JupyterHub configuration for a course server: one machine, a class of trainees.

Start it as root, from the clone, with the system-wide environment that deploy/install.sh made::

    sudo /opt/customer-service-course/bin/jupyterhub -f deploy/jupyterhub_config.py

What it sets up (README, "Running a course server", says more):

* the proxy: configurable-http-proxy from deploy/node_modules (``npm ci --prefix deploy``);
  on 127.0.0.1:8000 unless COURSE_HUB_IP / COURSE_HUB_PORT say otherwise (put TLS in front);
* users log in with their OS password (PAMAuthenticator); the roster (roster.yaml in the hub's
  state folder, see deploy/roster.py) says who may log in and into which group; a company uses its
  single sign-on with COURSE_HUB_AUTHENTICATOR=oidc and COURSE_OIDC_* (deploy/sso/oidc.py: OpenID
  Connect, the provider's groups become the hub's, OS accounts made at first login); any other
  authenticator class can be named in COURSE_HUB_AUTHENTICATOR (the groups and roles stay);
* each user's JupyterLab runs as their own OS user (LocalProcessSpawner) from the system-wide
  environment, with their role's Jupyter config on JUPYTER_CONFIG_PATH (deploy/hub_hooks.py);
* roles (JupyterHub RBAC on groups): trainees reach only their own server; instructors also
  reach the formgrader service (nbgrader's multi-user set-up: the grader account runs
  jupyterhub-singleuser in its course folder); instructors and facilitators reach the live
  board (course_lib/live/hub_service.py);
* COURSE_EXCHANGE_SERVICE=1: nbgrader's exchange is a hub service (course_lib/hub_exchange) that knows
  each trainee by their hub token, not by file owners; the folder exchange is the default;
* the idle culler stops servers idle for COURSE_IDLE_TIMEOUT seconds (default 3600);
* a hub restart leaves users' servers running (``cleanup_servers = False``).

Paths and ports come from deploy/server_layout.py (environment variables with defaults).
"""

import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from deploy import course_server as names  # noqa: E402
from deploy.hub_hooks import copy_lessons, restore_interrupt, set_role_environment  # noqa: E402
from deploy.roster import load_roster  # noqa: E402
from deploy.server_layout import USERNAME_PATTERN, layout  # noqa: E402

c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded
# The hub stops each service with SIGINT first (then SIGTERM after 30 s): a SIGINT ignored by whoever started the hub
# would be ignored by every service it starts too (deploy/hub_hooks.py says more).
if restore_interrupt():
    print("Course server: this hub was started with SIGINT ignored; its services get the default back, so that "
          "they stop when the hub stops them.", file=sys.stderr)
where = layout()
single_sign_on = os.environ.get("COURSE_HUB_AUTHENTICATOR") == "oidc"  # deploy/sso/oidc.py
# A bad name stops the hub here, naming the file and entry. With single sign-on the provider's groups
# say who is who, and the roster is not read.
roster = {} if single_sign_on else load_roster(where.roster)

# --- network and state -------------------------------------------------------------------------
c.JupyterHub.ip = where.ip
c.JupyterHub.port = where.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = where.hub_api_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{where.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(REPO / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{where.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(where.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(where.state / "jupyterhub.pid")
# Restarting the hub (an update, a crash) must not stop a trainee mid-exercise: servers keep
# running and the restarted hub finds them again from its database.
c.JupyterHub.cleanup_servers = False

# --- who may log in ------------------------------------------------------------------------------
# The hub user is also the OS user, the home folder and the nbgrader id: refuse anything else.
c.Authenticator.username_pattern = USERNAME_PATTERN.pattern
if single_sign_on:
    # OpenID Connect (GenericOAuthenticator): the provider's trainees/instructors/facilitators groups
    # become the hub's groups at each login (manage_groups), anyone in none of them is refused, and the
    # OS account is made at first login. The groups are created by the roles below.
    from deploy.sso.oidc import configure as configure_single_sign_on

    configure_single_sign_on(c, os.environ, hub_url=f"http://{where.ip}:{where.port}",
                             username_pattern=USERNAME_PATTERN.pattern)
else:
    c.JupyterHub.authenticator_class = os.environ.get("COURSE_HUB_AUTHENTICATOR", "pam")
    c.Authenticator.allowed_users = {name for group in roster.values() for name in group}
    c.PAMAuthenticator.open_sessions = False  # no login session records for notebook servers
    c.JupyterHub.load_groups = {group: {"users": members} for group, members in roster.items()}

# --- each user's server --------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(where.bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.args = [
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.environment = {
    "PATH": f"{where.bin}:/usr/local/bin:/usr/bin:/bin",
    "COURSE_EXCHANGE": str(where.exchange),
}
c.Spawner.start_timeout = 120  # a cold JupyterLab start on a busy 2-core machine
c.Spawner.http_timeout = 90
# Advertised to the server (jupyter-resource-usage shows them). LocalProcessSpawner does NOT enforce
# them; SystemdSpawner does (cgroups), where systemd runs and jupyterhub-systemdspawner is installed
# (the hub extra). COURSE_HUB_SPAWNER=local keeps LocalProcessSpawner; the hub says at start which holds.
c.Spawner.mem_limit = os.environ.get("COURSE_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("COURSE_CPU_LIMIT", "1"))
if (os.environ.get("COURSE_HUB_SPAWNER", "auto") != "local" and Path("/run/systemd/system").is_dir()
        and importlib.util.find_spec("systemdspawner") is not None):
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = False  # every user is a real OS account (PAM or created at first login)
    c.SystemdSpawner.unit_name_template = "course-singleuser-{USERNAME}"
    c.SystemdSpawner.isolate_tmp = True
    print(f"Course server: memory ({c.Spawner.mem_limit}) and CPU ({c.Spawner.cpu_limit:g}) limits per user are "
          "enforced by SystemdSpawner (cgroups).", file=sys.stderr)
else:
    print(f"Course server: memory ({c.Spawner.mem_limit}) and CPU ({c.Spawner.cpu_limit:g}) limits per user are "
          "ADVISORY ONLY: LocalProcessSpawner does not enforce them (no systemd running, or "
          "jupyterhub-systemdspawner not installed, or COURSE_HUB_SPAWNER=local). One trainee can use the "
          "whole machine.", file=sys.stderr)


def _pre_spawn(spawner):
    set_role_environment(spawner, where)
    copy_lessons(spawner.user.name, where)


c.Spawner.pre_spawn_hook = _pre_spawn

# --- services and roles --------------------------------------------------------------------------
formgrader_scope = f"access:services!service={names.GRADER_SERVICE}"
c.JupyterHub.services = [
    {
        # nbgrader's multi-user set-up: the grader account's own JupyterLab, in its course folder,
        # opened at the formgrader. Its terminal is where instructors run `course`.
        "name": names.GRADER_SERVICE,
        "url": f"http://127.0.0.1:{where.formgrader_port}",
        "command": [str(where.bin / "jupyterhub-singleuser"), *c.Spawner.args],
        "user": where.grader_user,
        "cwd": str(where.course_dir),
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "JUPYTER_CONFIG_PATH": str(where.role_config("staff")),
            "PATH": c.Spawner.environment["PATH"],
            "COURSE_EXCHANGE": str(where.exchange),
        },
        "oauth_no_confirm": True,
        "display": True,
    },
    {
        "name": "idle-culler",
        "command": [
            str(where.bin / "python"), "-m", "jupyterhub_idle_culler",
            f"--timeout={int(os.environ.get('COURSE_IDLE_TIMEOUT', '3600'))}",
        ],
    },
]
roles = [
    {"name": "course-trainee", "description": "A trainee: their own server only",
     "groups": [names.TRAINEES], "scopes": ["self"]},
    {"name": "course-instructor", "description": "Formgrader and the course folder; see who is online",
     "groups": [names.INSTRUCTORS],
     "scopes": [formgrader_scope, "list:users", f"read:users!group={names.TRAINEES}"]},
    {"name": "course-facilitator", "description": "The live board (added below when installed)",
     "groups": [names.FACILITATORS], "scopes": ["self"]},
    {"name": "idle-culler", "description": "Stop idle servers", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]

# The live board and the live-answers ingest (course_lib/live/hub_service.py, built with the
# board): added when the installed course has them, so this config also runs without the board.
if importlib.util.find_spec("course_lib.live.hub_service") and importlib.util.find_spec("course_lib.live.hub_board"):
    from course_lib.live.hub_service import hub_services, merge_roles

    live = hub_services(names, ip="127.0.0.1", board_port=where.board_port, live_port=where.live_port,
                        class_dir=str(where.class_dir), user=where.grader_user, python=str(where.bin / "python"))
    c.JupyterHub.services = [*c.JupyterHub.services, *live.services]
    roles = merge_roles(roles, live.roles)
    c.Spawner.environment = {**c.Spawner.environment, **live.spawner_environment}

# The exchange service (opt-in: COURSE_EXCHANGE_SERVICE=1, for the hub AND for deploy/install.sh, which
# writes the course folder's settings; course_lib/hub_exchange): release, fetch, submit, collect and feedback go
# through a hub service that takes each trainee's name from their hub token, not from file owners, so trainees
# sharing one uid (containers, Kubernetes) are still kept apart. The exchange folder is then unused.
if where.exchange_service:
    from course_lib.hub_exchange.hub import exchange_service
    from course_lib.live.hub_service import merge_roles

    exchange = exchange_service(names, store=str(where.exchange_store), port=where.exchange_port,
                                user=where.grader_user, python=str(where.bin / "python"))
    c.JupyterHub.services = [*c.JupyterHub.services, *exchange.services]
    c.JupyterHub.custom_scopes = exchange.custom_scopes
    roles = merge_roles(roles, exchange.roles)
    c.Spawner.environment = {**c.Spawner.environment, **exchange.spawner_environment}
    grader = next(service for service in c.JupyterHub.services if service["name"] == names.GRADER_SERVICE)
    grader["environment"] = {**grader["environment"], **exchange.spawner_environment}
    print(f"Course server: the exchange service {names.EXCHANGE_SERVICE} replaces the exchange folder "
          f"(store {where.exchange_store}).", file=sys.stderr)

# An API token for the operator's scripts (benchmarks/hub_spawn.py, the tests): admin rights, so
# only when COURSE_HUB_ADMIN_TOKEN is set in the hub's environment (never in a file).
if os.environ.get("COURSE_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services.append({"name": "course-admin", "api_token": os.environ["COURSE_HUB_ADMIN_TOKEN"]})
    roles.append({"name": "course-admin", "description": "The operator's scripts", "services": ["course-admin"],
                  "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "access:servers",
                             "list:services", "read:services", "tokens"]})
c.JupyterHub.load_roles = roles
