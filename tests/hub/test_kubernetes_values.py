"""deploy/kubernetes/ agrees with the tested set-up: course_server's names and paths, hub_services()'s output.

The Kubernetes files are not run here; what can drift is checked: the same
service names, commands, class folder and environment as the local hub config
gets from :func:`course_lib.live.hub_service.hub_services`, the same roles and
groups, the exchange service (course_lib.hub_exchange.hub.exchange_service()) reached by every server, and
neither the exchange nor the class folder mounted in any trainee's pod (they all run as one uid).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from course_lib.hub_exchange.hub import exchange_service
from course_lib.live.hub_service import hub_services, merge_roles
from deploy import course_server as names

KUBE = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
BOARD_PORT, LIVE_PORT, EXCHANGE_PORT = 10101, 10102, 10103  # the hub Service's extra ports in values.yaml


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((KUBE / "values.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def expected():
    # As in values.yaml: the services are reached through the hub's Service ("hub") and bind 0.0.0.0 in its pod.
    return hub_services(names, ip="hub", board_port=BOARD_PORT, live_port=LIVE_PORT, python="python3",
                        bind_ip="0.0.0.0")


@pytest.fixture(scope="module")
def exchange():
    return exchange_service(names, store=names.EXCHANGE_STORE, ip="hub", port=EXCHANGE_PORT, python="python3",
                            bind_ip="0.0.0.0")


def test_the_exchange_service_is_the_tested_one(values, exchange) -> None:
    (service,) = exchange.services
    assert values["hub"]["services"][service["name"]] == {k: v for k, v in service.items() if k != "name"}
    assert values["hub"]["config"]["JupyterHub"]["custom_scopes"] == exchange.custom_scopes
    roles = values["hub"]["loadRoles"]
    for role in exchange.roles:
        if role["name"] == "server":
            continue
        got = roles[role["name"]]
        for key in ("scopes", "groups", "services"):
            assert set(got.get(key, [])) == set(role.get(key, [])), (role["name"], key)
    ports = {port["name"]: port["port"] for port in values["hub"]["service"]["extraPorts"]}
    assert ports[names.EXCHANGE_SERVICE] == EXCHANGE_PORT
    allowed = {p["port"] for rule in values["hub"]["networkPolicy"]["ingress"] for p in rule["ports"]}
    assert EXCHANGE_PORT in allowed


def test_the_board_and_live_answers_services_are_the_tested_ones(values, expected) -> None:
    services = values["hub"]["services"]
    for service in expected.services:
        assert services[service["name"]] == {k: v for k, v in service.items() if k != "name"}, service["name"]
    assert services[names.GRADER_SERVICE]["url"].startswith("http://")
    ports = {port["name"]: (port["port"], port["targetPort"]) for port in values["hub"]["service"]["extraPorts"]}
    assert ports == {names.BOARD_SERVICE: (BOARD_PORT, BOARD_PORT), names.LIVE_SERVICE: (LIVE_PORT, LIVE_PORT),
                     names.EXCHANGE_SERVICE: (EXCHANGE_PORT, EXCHANGE_PORT)}
    allowed = {p["port"] for rule in values["hub"]["networkPolicy"]["ingress"] for p in rule["ports"]}
    assert {BOARD_PORT, LIVE_PORT} <= allowed


def test_roles_and_groups_match(values, expected, exchange) -> None:
    roles = values["hub"]["loadRoles"]
    for role in merge_roles(expected.roles, exchange.roles):
        got = roles[role["name"]]
        assert set(got["scopes"]) == set(role["scopes"]), role["name"]
        assert set(got.get("groups", [])) == set(role.get("groups", [])), role["name"]
    groups = {group for role in roles.values() for group in role.get("groups", [])}
    assert groups == {names.TRAINEES, names.INSTRUCTORS, names.FACILITATORS}
    instructor_scopes = {s for r in roles.values() if names.INSTRUCTORS in r.get("groups", []) for s in r["scopes"]}
    assert f"access:services!service={names.GRADER_SERVICE}" in instructor_scopes
    trainee_scopes = {s for r in roles.values() if names.TRAINEES in r.get("groups", []) for s in r["scopes"]}
    assert not any(names.BOARD_SERVICE in s or names.GRADER_SERVICE in s for s in trainee_scopes)


def test_every_server_reaches_the_exchange_service_and_no_trainee_pod_mounts_an_exchange(
        values, expected, exchange) -> None:
    single = values["singleuser"]
    assert single["extraEnv"]["COURSE_LIVE_URL"] == expected.spawner_environment["COURSE_LIVE_URL"]
    assert single["extraEnv"]["COURSE_EXCHANGE_URL"] == exchange.spawner_environment["COURSE_EXCHANGE_URL"]
    assert "COURSE_EXCHANGE" not in single["extraEnv"], "no folder exchange on Kubernetes: pods share one uid"
    # No volume of the course in any trainee's pod: not the exchange, not its store, not the class folder.
    storage = single.get("storage", {})
    user_mounts = [m["mountPath"] for m in storage.get("extraVolumeMounts", [])]
    shared = {v["name"] for v in values["hub"]["extraVolumes"]}
    assert not any(v["name"] in shared for v in storage.get("extraVolumes", [])), storage
    for forbidden in (names.EXCHANGE_DIR, names.EXCHANGE_STORE, names.CLASS_DIR):
        assert not any(path == forbidden or path.startswith(forbidden + "/") for path in user_mounts), forbidden
    hub_mounts = {m["mountPath"]: m for m in values["hub"]["extraVolumeMounts"]}
    assert names.CLASS_DIR in hub_mounts and names.EXCHANGE_STORE in hub_mounts
    assert hub_mounts[names.EXCHANGE_STORE]["subPath"] != hub_mounts[names.CLASS_DIR]["subPath"]
    assert exchange.services[0]["environment"]["COURSE_EXCHANGE_STORE"] == names.EXCHANGE_STORE
    for service in expected.services:
        assert service["environment"]["COURSE_CLASS_DIR"] == names.CLASS_DIR


def test_the_images_are_the_dockerfiles_targets_and_the_formgrader_the_graders(values) -> None:
    dockerfile = (KUBE / "Dockerfile").read_text(encoding="utf-8")
    for target in ("singleuser", "hub"):
        assert f" AS {target}\n" in dockerfile
        image = values[target]["image"]
        assert f"--target {target} -t {image['name']}:{image['tag']} ." in dockerfile
    # The roles' Jupyter configs and lessons the values point at are where the Dockerfile puts them.
    assert "COURSE_PREFIX=/opt/course" in dockerfile
    assert "/opt/course/etc/course-roles/" in values["hub"]["extraConfig"]["course-roles"]
    formgrader = list(yaml.safe_load_all((KUBE / "formgrader.yaml").read_text(encoding="utf-8")))
    env = {e["name"]: e.get("value") for e in formgrader[0]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"] == names.GRADER_SERVICE
    assert env["JUPYTERHUB_USER"] == names.GRADER_USER
    assert env["COURSE_EXCHANGE_URL"] == f"http://hub:{EXCHANGE_PORT}/services/{names.EXCHANGE_SERVICE}/"
    mounts = formgrader[0]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert not any(m["mountPath"] in (names.EXCHANGE_DIR, names.EXCHANGE_STORE) for m in mounts)
    assert values["hub"]["services"][names.GRADER_SERVICE]["url"] == "http://course-formgrader:8888"


# -- checked against the Zero to JupyterHub chart's own schema ------------------------------------------
CHART = KUBE.parents[2] / "shared" / "z2jh"  # the chart's values.schema.yaml and values.yaml (../shared/z2jh)


@pytest.fixture(scope="module")
def chart() -> tuple[dict, dict]:
    if not (CHART / "values.schema.yaml").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the chart's schema is missing: {CHART} (CI has ../shared)")
        pytest.skip(f"no copy of the chart's schema at {CHART}")
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    return schema, defaults


def _merged(defaults: dict, ours: dict) -> dict:
    """``ours`` over the chart's defaults, as Helm merges a values file (maps merged, everything else replaced)."""
    out = copy.deepcopy(defaults)
    for key, value in ours.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _schema_errors(chart: tuple[dict, dict], values: dict) -> list[str]:
    schema, defaults = chart
    validator = jsonschema.Draft7Validator(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_merged(defaults, values))]


def test_the_values_pass_the_charts_own_schema(chart, values) -> None:
    assert _schema_errors(chart, values) == []


@pytest.mark.parametrize("broken", [
    {"hubb": {}},  # a misspelt top-level key
    {"hub": {"extraEnvv": {"A": "1"}}},  # a misspelt key inside hub
    {"singleuser": {"memory": {"limit": ["1G"]}}},  # a value of the wrong kind
    {"cull": {"timeout": "an hour"}},
])
def test_a_broken_key_fails_the_schema(chart, values, broken) -> None:
    assert _schema_errors(chart, _merged(values, broken)), broken
