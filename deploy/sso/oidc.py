"""Single sign-on for the course server: OpenID Connect with OAuthenticator's GenericOAuthenticator.

deploy/jupyterhub_config.py calls :func:`configure` when ``COURSE_HUB_AUTHENTICATOR=oidc``; without it the
hub keeps PAM and the roster. The provider (Keycloak, Azure AD, Okta, or this course's own
deploy/sso/idp.mjs) needs a confidential client for the hub whose redirect URI is the hub's
``https://HOST/hub/oauth_callback``, and must send the user's groups in the userinfo answer as a flat
list of names (Keycloak: a "Group Membership" mapper, claim ``groups``, "Full group path" off; a full
path such as ``/trainees`` is accepted too).

Environment (the hub's):

* ``COURSE_OIDC_ISSUER`` (required): the provider's issuer; the endpoints come from its
  ``/.well-known/openid-configuration``, read at hub start (the hub stops with the reason if it cannot).
* ``COURSE_OIDC_CLIENT_ID``, ``COURSE_OIDC_CLIENT_SECRET`` (required): the hub's client. Keep the secret
  in the hub's environment (a root-only systemd drop-in), never in a file others can read.
* ``COURSE_OIDC_CALLBACK_URL``: the redirect URI registered at the provider
  (default ``http://COURSE_HUB_IP:COURSE_HUB_PORT/hub/oauth_callback``; behind TLS give the https one).
* ``COURSE_OIDC_USERNAME_CLAIM`` (default ``preferred_username``): becomes the hub, OS and nbgrader name.
* ``COURSE_OIDC_USERNAME_DOMAIN``: stripped from ``name@DOMAIN`` names (e.g. ``example.org``).
* ``COURSE_OIDC_GROUPS_CLAIM`` (default ``groups``): the userinfo claim with the groups.
* ``COURSE_OIDC_SCOPES`` (default ``openid profile email groups``).
* ``COURSE_OIDC_LOGIN_SERVICE`` (default ``your company account``): the button says "Sign in with ...".
* ``COURSE_OIDC_CONTACT`` (default ``the course's instructor``): whom someone not enrolled should ask.
* ``COURSE_OIDC_CREATE_USERS`` (default ``1``): make the OS account at first login (useradd); ``0``: it
  must exist already (e.g. from the company's LDAP through sssd).

What it does:

* ``manage_groups``: at each login the provider's groups become the user's hub groups. Only the
  course's three groups (trainees, instructors, facilitators) are taken; a company's other groups
  are ignored. The groups carry the course roles (jupyterhub_config.py), so an instructor gets the
  same as with the roster, and someone taken out of ``instructors`` at the provider loses Formgrader
  at their next login.
* ``allowed_groups`` = the three course groups: anyone else is refused at the callback with a page
  that says they are not enrolled and whom to ask (``COURSE_OIDC_CONTACT``).
* user names: the claim, lower-cased, ``@DOMAIN`` stripped when set; a name that is still not a safe
  user name (deploy/server_layout.USERNAME_PATTERN) is refused, never rewritten into one that could
  be somebody else's.
* LocalProcessSpawner needs an OS account per user: with ``COURSE_OIDC_CREATE_USERS=1`` the hub runs
  ``useradd`` at first login (home mode 0700, as deploy/server_setup does for the roster's users).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping

from tornado import web

from deploy.course_server import FACILITATORS, INSTRUCTORS, TRAINEES

__all__ = ["COURSE_GROUPS", "configure", "course_groups", "discover"]

COURSE_GROUPS = frozenset({TRAINEES, INSTRUCTORS, FACILITATORS})
ADD_USER_CMD = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", "--key", "HOME_MODE=0700"]


def course_groups(claim) -> set[str]:
    """The course groups among the provider's (names or Keycloak full paths such as ``/trainees``)."""
    if isinstance(claim, str):
        claim = [claim]
    if not isinstance(claim, (list, tuple, set)):
        return set()
    names = {str(group).strip().strip("/").rsplit("/", 1)[-1] for group in claim}
    return names & COURSE_GROUPS


def discover(issuer: str, timeout: float = 30) -> dict:
    """The provider's OpenID configuration; stops the hub with a clear message when it cannot be read."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = json.load(response)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Course server: cannot read the identity provider's configuration at {url}: {exc}") from exc
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint"):
        if not data.get(key):
            raise SystemExit(f"Course server: {url} names no {key}")
    return data


def _authenticator_class(contact: str):
    from oauthenticator.generic import LocalGenericOAuthenticator

    class CourseOIDCAuthenticator(LocalGenericOAuthenticator):
        """GenericOAuthenticator with OS accounts made at first login, course groups only, a clear refusal.

        LocalAuthenticator.check_allowed reads ``allowed_groups`` as UNIX groups (and fails for an
        account not made yet): the course's allowed_groups are the provider's, so OAuthenticator's
        check is the one used.
        """

        async def check_allowed(self, username, auth_model):
            from oauthenticator.oauth2 import OAuthenticator

            if await OAuthenticator.check_allowed(self, username, auth_model):
                return True
            self.log.warning("Refused %s: in none of the course groups %s", username, sorted(self.allowed_groups))
            raise web.HTTPError(403, f"{username} is not enrolled in this course: your account is in none of its "
                                     f"groups ({', '.join(sorted(self.allowed_groups))}). Ask {contact} to add you.",
                                reason="Not enrolled in this course")

    return CourseOIDCAuthenticator


def configure(c, environ: Mapping[str, str], *, hub_url: str, username_pattern: str) -> None:
    """Set the hub's authenticator from ``environ`` (see the table above)."""
    missing = [key for key in ("COURSE_OIDC_ISSUER", "COURSE_OIDC_CLIENT_ID", "COURSE_OIDC_CLIENT_SECRET")
               if not environ.get(key)]
    if missing:
        raise SystemExit(f"Course server: COURSE_HUB_AUTHENTICATOR=oidc needs {', '.join(missing)} "
                         "(deploy/sso/oidc.py)")
    provider = discover(environ["COURSE_OIDC_ISSUER"])
    contact = environ.get("COURSE_OIDC_CONTACT", "the course's instructor")
    claim = environ.get("COURSE_OIDC_USERNAME_CLAIM", "preferred_username")
    domain = environ.get("COURSE_OIDC_USERNAME_DOMAIN", "").lower().lstrip("@")
    groups_claim = environ.get("COURSE_OIDC_GROUPS_CLAIM", "groups")

    def username(user_info: dict) -> str:
        name = str(user_info.get(claim) or "").strip().lower()
        if domain and name.endswith(f"@{domain}"):
            name = name[: -len(domain) - 1]
        return name

    def groups(auth_state: dict) -> set[str]:
        return course_groups((auth_state.get("oauth_user") or {}).get(groups_claim))

    c.JupyterHub.authenticator_class = _authenticator_class(contact)
    auth = c.GenericOAuthenticator
    auth.client_id = environ["COURSE_OIDC_CLIENT_ID"]
    auth.client_secret = environ["COURSE_OIDC_CLIENT_SECRET"]
    auth.oauth_callback_url = environ.get("COURSE_OIDC_CALLBACK_URL", f"{hub_url}/hub/oauth_callback")
    auth.authorize_url = provider["authorization_endpoint"]
    auth.token_url = provider["token_endpoint"]
    auth.userdata_url = provider["userinfo_endpoint"]
    auth.basic_auth = True  # client_secret_basic, the default of Keycloak and most providers
    auth.scope = environ.get("COURSE_OIDC_SCOPES", "openid profile email groups").split()
    auth.username_claim = username
    auth.login_service = environ.get("COURSE_OIDC_LOGIN_SERVICE", "your company account")
    auth.manage_groups = True
    auth.auth_state_groups_key = groups
    auth.allowed_groups = set(COURSE_GROUPS)
    auth.custom_403_message = (f"You are not enrolled in this course, or your account's name cannot be a course "
                               f"user name. Ask {contact} to add you.")
    c.Authenticator.username_pattern = username_pattern
    c.LocalAuthenticator.create_system_users = environ.get("COURSE_OIDC_CREATE_USERS", "1") == "1"
    c.LocalAuthenticator.add_user_cmd = ADD_USER_CMD
