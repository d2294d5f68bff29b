"""The course's realm for a company that runs Keycloak: the hub's client, the three groups, a groups claim.

NOT RUN against Keycloak here: the machines this project is built and tested on cannot reach Maven
Central, where Keycloak's server distribution is published, so the tests log in through the course's
own provider (deploy/sso/idp.mjs) instead. What this writes follows Keycloak's documented realm
representation (the admin REST API's RealmRepresentation, also read by ``kc.sh start --import-realm``).

    # a realm file for kc.sh start --import-realm (put it in Keycloak's data/import/)
    python -m deploy.sso.keycloak_realm write course-realm.json --realm course \\
        --redirect-uri https://course.example.org/hub/oauth_callback --user ana=trainees --user ines=instructors
    # or create it on a running Keycloak through its admin REST API (admin password from stdin)
    python -m deploy.sso.keycloak_realm apply --keycloak https://login.example.org --admin admin --realm course \\
        --redirect-uri https://course.example.org/hub/oauth_callback

Users named with ``--user NAME=GROUP[,GROUP]`` get a random temporary password, printed once (Keycloak
asks them to change it at first login). A company usually brings its people from its directory (LDAP,
Active Directory federation) and only puts them in the groups. The hub's settings are printed at the end
(COURSE_OIDC_ISSUER is ``<keycloak>/realms/<realm>``); the client secret is generated here.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from deploy.course_server import FACILITATORS, INSTRUCTORS, TRAINEES
from deploy.server_layout import USERNAME_PATTERN

__all__ = ["build_realm", "hub_environment"]

COURSE_GROUPS = (TRAINEES, INSTRUCTORS, FACILITATORS)


def build_realm(realm: str, redirect_uris: list[str], *, client_id: str = "course-hub",
                client_secret: str | None = None, users: dict[str, list[str]] | None = None,
                passwords: dict[str, str] | None = None) -> dict:
    """A RealmRepresentation: realm, confidential OIDC client with a flat ``groups`` claim, groups, users."""
    for name, groups in (users or {}).items():
        if not USERNAME_PATTERN.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid course user name")
        unknown = set(groups) - set(COURSE_GROUPS)
        if unknown:
            raise ValueError(f"{name}: unknown group(s) {', '.join(sorted(unknown))}")
    groups_mapper = {
        "name": "groups",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-group-membership-mapper",
        "consentRequired": False,
        "config": {
            "claim.name": "groups",
            "full.path": "false",
            "id.token.claim": "true",
            "access.token.claim": "true",
            "userinfo.token.claim": "true",
        },
    }
    return {
        "realm": realm,
        "enabled": True,
        "sslRequired": "external",
        "registrationAllowed": False,
        "loginWithEmailAllowed": False,
        "bruteForceProtected": True,
        "clients": [{
            "clientId": client_id,
            "name": "Customer Service Workbook course server",
            "enabled": True,
            "protocol": "openid-connect",
            "publicClient": False,
            "clientAuthenticatorType": "client-secret",
            "secret": client_secret or secrets.token_urlsafe(32),
            "standardFlowEnabled": True,
            "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "serviceAccountsEnabled": False,
            "redirectUris": list(redirect_uris),
            "webOrigins": ["+"],
            "attributes": {"pkce.code.challenge.method": "S256"},
            "protocolMappers": [groups_mapper],
        }],
        "groups": [{"name": group} for group in COURSE_GROUPS],
        "users": [
            {
                "username": name,
                "enabled": True,
                "groups": [f"/{group}" for group in groups],
                "credentials": [{"type": "password", "value": (passwords or {})[name], "temporary": True}],
            }
            for name, groups in (users or {}).items()
        ],
    }


def hub_environment(keycloak_url: str, realm: dict, callback_url: str) -> dict[str, str]:
    client = realm["clients"][0]
    return {
        "COURSE_HUB_AUTHENTICATOR": "oidc",
        "COURSE_OIDC_ISSUER": f"{keycloak_url.rstrip('/')}/realms/{realm['realm']}",
        "COURSE_OIDC_CLIENT_ID": client["clientId"],
        "COURSE_OIDC_CLIENT_SECRET": client["secret"],
        "COURSE_OIDC_CALLBACK_URL": callback_url,
    }


def _admin_token(keycloak_url: str, admin: str, password: str) -> str:
    data = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli", "username": admin,
                                   "password": password}).encode()
    url = f"{keycloak_url.rstrip('/')}/realms/master/protocol/openid-connect/token"
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as response:
        return json.load(response)["access_token"]


def apply_realm(keycloak_url: str, admin: str, password: str, realm: dict) -> None:
    """Create the realm (with its client, groups and users) through Keycloak's admin REST API."""
    request = urllib.request.Request(
        f"{keycloak_url.rstrip('/')}/admin/realms", data=json.dumps(realm).encode(), method="POST",
        headers={"Authorization": f"Bearer {_admin_token(keycloak_url, admin, password)}",
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60):
        pass


def _users(specs: list[str]) -> dict[str, list[str]]:
    users = {}
    for spec in specs:
        name, _, groups = spec.partition("=")
        users[name] = [group for group in groups.split(",") if group]
    return users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.sso.keycloak_realm", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("write", "apply"):
        one = sub.add_parser(command)
        if command == "write":
            one.add_argument("output", type=Path)
            one.add_argument("--keycloak", default="https://KEYCLOAK-HOST", help="for the printed hub settings")
        else:
            one.add_argument("--keycloak", required=True, help="Keycloak's URL, e.g. https://login.example.org")
            one.add_argument("--admin", required=True, help="an admin of the master realm (password from stdin)")
        one.add_argument("--realm", default="course")
        one.add_argument("--client-id", default="course-hub")
        one.add_argument("--redirect-uri", required=True, action="append")
        one.add_argument("--user", action="append", default=[], metavar="NAME=GROUP[,GROUP]")
    args = parser.parse_args(argv)
    try:
        users = _users(args.user)
        passwords = {name: secrets.token_urlsafe(12) for name in users}
        realm = build_realm(args.realm, args.redirect_uri, client_id=args.client_id, users=users, passwords=passwords)
        if args.command == "write":
            args.output.touch(mode=0o600)
            args.output.write_text(json.dumps(realm, indent=2) + "\n", encoding="utf-8")
        else:
            apply_realm(args.keycloak, args.admin, sys.stdin.readline().rstrip("\n"), realm)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, password in passwords.items():
        print(f"# {name}: temporary password {password}")
    print("# The hub's environment:")
    for key, value in hub_environment(args.keycloak, realm, args.redirect_uri[0]).items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
