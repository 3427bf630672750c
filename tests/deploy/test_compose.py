"""docker-compose.yml, read as Compose reads it (no engine here): every documented setting in .env
reaches every app container, and nothing serves or runs tasks before the migrations have run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from .test_configuration_docs import documented_variables

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
# The stack decides these itself (its own database and broker, production mode); .env cannot move them.
COMPOSE_OWNS = {"DEBUG", "DATABASE_URL", "REDIS_URL"}
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error} and $$."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = variables.get(name)
        if (op in (":-", ":?") and not value) or (op in ("-", "?") and value is None):
            if op.endswith("?"):
                raise LookupError(f"{name}: {arg}")
            return arg
        return value or ""

    return _VARIABLE.sub(replace, text)


def parse_env_file(text: str) -> dict[str, str]:
    pairs = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            pairs[name.strip()] = value.strip().strip("'\"")
    return pairs


def container_env(service: dict, dotenv: dict[str, str], project: Path) -> dict[str, str]:
    """What a container is started with: its env_file(s), then `environment`, which wins."""
    env_files = service.get("env_file", [])
    env_files = [env_files] if isinstance(env_files, str | dict) else env_files
    result: dict[str, str] = {}
    for entry in env_files:
        path = entry["path"] if isinstance(entry, dict) else entry
        result.update(dotenv if path == ".env" else parse_env_file((project / path).read_text()))
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    result.update({name: interpolate(str(value), dotenv) for name, value in environment.items()})
    return result


def test_every_documented_variable_in_dotenv_reaches_every_app_container(compose):
    documented = documented_variables()
    assert len(documented) > 30, "the README table was not found"
    dotenv = {name: f"value-of-{name}" for name in documented}
    dotenv["POSTGRES_PASSWORD"] = "pg-secret"
    for name in APP_SERVICES:
        env = container_env(compose["services"][name], dotenv, ROOT)
        missing = sorted(n for n in documented - COMPOSE_OWNS if env.get(n) != dotenv[n])
        assert missing == [], f"{name} does not get {missing} from .env"
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"] == "postgres://postmortems:pg-secret@postgres:5432/postmortems"
        assert env["REDIS_URL"].startswith("redis://redis:6379/")


def test_nothing_starts_before_the_migrations_have_run(compose):
    services = compose["services"]
    assert "manage.py migrate" in services["migrate"]["command"]
    assert services["migrate"].get("restart") == "no"  # it runs once
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert "migrate" not in str(services[name].get("command", "")), f"{name} migrates itself"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
