"""The cluster description in deploy/kubernetes sets the variables the code reads, and only
those: a misspelt name would be ignored in silence and leave a development default in place."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.lock_store import RedisLockStore
from rasa.shared.utils.common import class_from_module_path

from bot.deployment import SECRETS

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
CODE_PACKAGES = ("actions", "bot", "mail", "storage", "support_core", "tickets",
                 "rasa_sdk_plugins", "nlu_components")
#: Variables read by the servers we run rather than by our code.
READ_BY_OTHERS = {
    "SANIC_WORKERS": "Rasa's worker count",
    "SANIC_HOST": "the interface rasa-sdk's action server listens on",
    "POSTGRES_USER": "the postgres image", "POSTGRES_DB": "the postgres image",
    "POSTGRES_PASSWORD": "the postgres image",
}
_VARIABLE = re.compile(r"\bIEX_[A-Z0-9_]+\b")


def documents() -> list[dict]:
    return [document for path in MANIFESTS
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")) if document]


def containers() -> dict[str, dict]:
    return {container["name"]: container for document in documents()
            if document["kind"] in ("Deployment", "StatefulSet")
            for container in document["spec"]["template"]["spec"]["containers"]}


def kind(name: str) -> list[dict]:
    return [document for document in documents() if document["kind"] == name]


def variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for package in CODE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(_VARIABLE.findall(path.read_text(encoding="utf-8")))
    for path in ROOT.glob("endpoints*.yml"):
        found |= set(_VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def variables_of(container: dict) -> set[str]:
    """Every variable a container gets: its own env and the config map and secret it loads."""
    names = {item["name"] for item in container.get("env", [])}
    sources = {(ref.get("configMapRef") or ref.get("secretRef"))["name"]
               for ref in container.get("envFrom", [])}
    for document in kind("ConfigMap") + kind("Secret"):
        if document["metadata"]["name"] in sources:
            names |= set(document.get("data") or document.get("stringData") or {})
    return names


def test_the_manifests_exist():
    assert {path.name for path in MANIFESTS} >= {"assistant.yaml", "config.yaml", "data.yaml",
                                                 "secrets.example.yaml"}


def test_every_variable_the_manifests_set_is_read_by_the_code():
    read = variables_read_by_the_code()
    for name, container in containers().items():
        unknown = {variable for variable in variables_of(container)
                   if variable not in read and variable not in READ_BY_OTHERS}
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_every_secret_production_demands_comes_from_the_secret():
    [secret] = kind("Secret")
    demanded = {*SECRETS.values(), "IEX_INBOX_SECRET_KEY"}
    assert demanded <= set(secret["stringData"])
    for name in ("rasa", "actions", "web", "outbox", "mail"):
        assert demanded <= variables_of(containers()[name]), name


def test_every_service_runs_in_production_against_postgresql_and_redis():
    for name in ("rasa", "actions", "web", "outbox", "mail"):
        have = variables_of(containers()[name])
        assert {"IEX_ENV", "IEX_DATABASE_URL", "IEX_REDIS_HOST"} <= have, name
    [config] = [document for document in kind("ConfigMap")
                if document["metadata"]["name"] == "iex-config"]
    assert config["data"]["IEX_ENV"] == "production"


def test_rasa_gets_every_variable_its_endpoints_file_reads():
    command = containers()["rasa"]["command"]
    endpoints = ROOT / command[command.index("--endpoints") + 1]
    assert endpoints.exists(), endpoints
    wanted = set(re.findall(r"\$\{([A-Z0-9_]+)\}", endpoints.read_text(encoding="utf-8")))
    assert wanted <= variables_of(containers()["rasa"])
    # The lock store that lets several Rasa replicas share conversations: Rasa's Redis one,
    # changed atomically.
    lock_store = yaml.safe_load(endpoints.read_text(encoding="utf-8"))["lock_store"]["type"]
    assert lock_store == "bot.lock_store.AtomicRedisLockStore"
    assert issubclass(class_from_module_path(lock_store), RedisLockStore)


@pytest.mark.parametrize("name", ["rasa", "web", "outbox", "mail"])
def test_every_python_command_names_a_module_of_the_project(name):
    command = containers()[name]["command"]
    module = command[command.index("-m") + 1]
    assert importlib.util.find_spec(module) is not None, module


def test_the_references_between_manifests_resolve():
    services = {document["metadata"]["name"] for document in kind("Service")}
    [config] = [document for document in kind("ConfigMap")]
    for value in config["data"].values():
        for host in re.findall(r"//(iex-[a-z-]+)", value):
            assert host in services, value
    assert config["data"]["IEX_REDIS_HOST"] in services
    for rule in kind("Ingress")[0]["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"]["name"] in services


def test_the_services_that_share_the_stores_are_replicas_without_a_shared_volume():
    """Every store is in PostgreSQL: no pod needs a file another one writes."""
    deployments = {document["metadata"]["name"]: document for document in kind("Deployment")}
    for name in ("iex-actions", "iex-web", "iex-outbox", "iex-mail"):
        spec = deployments[name]["spec"]
        assert spec["replicas"] >= 2, name
        assert not spec["template"]["spec"].get("volumes"), name
    assert kind("PersistentVolumeClaim") == []
