"""Set up and run the course's own OpenID Connect provider (deploy/sso/idp.mjs): realm, client, users, groups.

For a site whose company has no identity provider the hub can use, and for the SSO tests. A company
with Keycloak, Azure AD or Okta points the hub at that instead (deploy/sso/README.md); the hub side
(deploy/sso/oidc.py) is the same.

    python -m deploy.sso.idp_admin init /srv/course-idp --issuer https://login.example.org \\
        --redirect-uri https://course.example.org/hub/oauth_callback
    python -m deploy.sso.idp_admin user /srv/course-idp ana --group trainees   # password read from stdin
    python -m deploy.sso.idp_admin groups /srv/course-idp ines instructors facilitators
    python -m deploy.sso.idp_admin groups /srv/course-idp ines                 # in no group: refused by the hub
    python -m deploy.sso.idp_admin remove /srv/course-idp ana
    node deploy/sso/idp.mjs /srv/course-idp                                    # serve it (put TLS in front)

``init`` prints the hub's environment (COURSE_HUB_AUTHENTICATOR=oidc, COURSE_OIDC_*). Changes to users
and groups hold from each user's next login; the provider needs no restart. Passwords are stored as
scrypt hashes; the state folder is the provider's secret (mode 0700).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from deploy.course_server import FACILITATORS, INSTRUCTORS, TRAINEES
from deploy.server_layout import USERNAME_PATTERN

__all__ = ["COURSE_GROUPS", "hash_password", "hub_environment", "init_state", "remove_user", "set_groups",
           "set_user"]

COURSE_GROUPS = (TRAINEES, INSTRUCTORS, FACILITATORS)
CLIENT_ID = "course-hub"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex), checked by idp.mjs with Node's crypto.scrypt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def _write_json(path: Path, data: dict) -> None:
    """Atomically, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _settings(state: Path) -> dict:
    return json.loads((state / "idp.json").read_text(encoding="utf-8"))


def _directory(state: Path) -> dict:
    return json.loads((state / "directory.json").read_text(encoding="utf-8"))


def init_state(state: Path | str, *, issuer: str, redirect_uris: list[str], client_id: str = CLIENT_ID,
               display_name: str = "Company sign-in", host: str | None = None, port: int | None = None) -> dict:
    """Create (or update) the provider's state folder; keeps the users, the client secret and the keys."""
    state = Path(state)
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    state.chmod(0o700)
    parts = urlsplit(issuer)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ValueError(f"issuer must be http(s)://host[:port] with no path, not {issuer!r}")
    old = _settings(state) if (state / "idp.json").exists() else {}
    settings = {
        "issuer": issuer.rstrip("/"),
        "host": host or old.get("host") or "127.0.0.1",
        "port": port or parts.port or (443 if parts.scheme == "https" else 80),
        "display_name": display_name,
        "client": {
            "client_id": client_id,
            "client_secret": old.get("client", {}).get("client_secret") or secrets.token_urlsafe(32),
            "redirect_uris": list(redirect_uris),
        },
        "cookie_keys": old.get("cookie_keys") or [secrets.token_urlsafe(32)],
    }
    _write_json(state / "idp.json", settings)
    if not (state / "directory.json").exists():
        _write_json(state / "directory.json", {"users": {}})
    return settings


def hub_environment(state: Path | str) -> dict[str, str]:
    """What the hub's environment needs to log in through this provider (deploy/sso/oidc.py)."""
    settings = _settings(Path(state))
    return {
        "COURSE_HUB_AUTHENTICATOR": "oidc",
        "COURSE_OIDC_ISSUER": settings["issuer"],
        "COURSE_OIDC_CLIENT_ID": settings["client"]["client_id"],
        "COURSE_OIDC_CLIENT_SECRET": settings["client"]["client_secret"],
        "COURSE_OIDC_CALLBACK_URL": settings["client"]["redirect_uris"][0],
    }


def _check_name(name: str) -> None:
    if not USERNAME_PATTERN.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid course user name (lowercase a-z, digits, '-', '_', starting "
                         "with a letter, at most 32): it becomes the OS user and the nbgrader id")


def _check_groups(groups: list[str]) -> None:
    unknown = sorted(set(groups) - set(COURSE_GROUPS))
    if unknown:
        raise ValueError(f"unknown group(s) {', '.join(unknown)}; the course groups are {', '.join(COURSE_GROUPS)}")


def set_user(state: Path | str, name: str, *, password: str | None = None, groups: list[str] | None = None,
             display_name: str | None = None, email: str | None = None) -> None:
    """Add a user or change one (only what is given); a new user needs a password."""
    state = Path(state)
    _check_name(name)
    directory = _directory(state)
    user = directory["users"].get(name, {"groups": []})
    if password is None and "password" not in user:
        raise ValueError(f"{name} is a new user: give a password")
    if password is not None:
        user["password"] = hash_password(password)
    if groups is not None:
        _check_groups(groups)
        user["groups"] = list(dict.fromkeys(groups))
    if display_name is not None:
        user["name"] = display_name
    if email is not None:
        user["email"] = email
    directory["users"][name] = user
    _write_json(state / "directory.json", directory)


def set_groups(state: Path | str, name: str, groups: list[str]) -> None:
    """Put ``name`` in exactly ``groups`` (none: the hub refuses them at their next login)."""
    state = Path(state)
    if name not in _directory(state)["users"]:
        raise KeyError(f"no user {name!r}")
    set_user(state, name, groups=groups)


def remove_user(state: Path | str, name: str) -> None:
    state = Path(state)
    directory = _directory(state)
    directory["users"].pop(name, None)
    _write_json(state / "directory.json", directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.sso.idp_admin", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the provider's state folder and the hub's client")
    init.add_argument("state", type=Path)
    init.add_argument("--issuer", required=True, help="the provider's public URL, e.g. https://login.example.org")
    init.add_argument("--redirect-uri", required=True, action="append",
                      help="the hub's https://HOST/hub/oauth_callback (repeat for more)")
    init.add_argument("--client-id", default=CLIENT_ID)
    init.add_argument("--display-name", default="Company sign-in", help="shown on the login page")
    init.add_argument("--host", help="address to listen on (default 127.0.0.1: put a TLS proxy in front)")
    init.add_argument("--port", type=int, help="port to listen on (default: the issuer's)")
    user = sub.add_parser("user", help="add or change a user (the password is read from stdin when new "
                                       "or with --password-stdin)")
    user.add_argument("state", type=Path)
    user.add_argument("name")
    user.add_argument("--group", action="append", choices=COURSE_GROUPS, help="repeat for more; replaces the groups")
    user.add_argument("--password-stdin", action="store_true")
    user.add_argument("--display-name")
    user.add_argument("--email")
    groups = sub.add_parser("groups", help="set a user's groups (none: not enrolled)")
    groups.add_argument("state", type=Path)
    groups.add_argument("name")
    groups.add_argument("groups", nargs="*", choices=COURSE_GROUPS)
    remove = sub.add_parser("remove", help="remove a user")
    remove.add_argument("state", type=Path)
    remove.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            init_state(args.state, issuer=args.issuer, redirect_uris=args.redirect_uri, client_id=args.client_id,
                       display_name=args.display_name, host=args.host, port=args.port)
            print("# The hub's environment (keep the secret out of files others can read):")
            for key, value in hub_environment(args.state).items():
                print(f"{key}={value}")
        elif args.command == "user":
            new = args.name not in _directory(args.state)["users"]
            password = sys.stdin.readline().rstrip("\n") if (new or args.password_stdin) else None
            set_user(args.state, args.name, password=password, groups=args.group, display_name=args.display_name,
                     email=args.email)
        elif args.command == "groups":
            set_groups(args.state, args.name, args.groups)
        elif args.command == "remove":
            remove_user(args.state, args.name)
    except (ValueError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
