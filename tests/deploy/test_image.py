"""The production image's path, without a Docker engine: the Dockerfile is carried out in a fresh copy
of the tree (tests/deploy/dockerfile.py), then its CMD — gunicorn with the project's gunicorn.conf.py —
serves with DEBUG off, and pages, static files and the healthcheck answer as they would in the image."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests.support.processes import free_port, port_open, stop, wait_until

from .dockerfile import Build, build

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PUBLIC_HOST = "postmortems.example.com"
# Made at run time, so no file of the tree contains it unless it was copied from .env.
SECRET_MARKER = f"MARKER-dotenv-{uuid.uuid4().hex}"
RUNTIME_ENV = {
    # What an operator's .env gives the container: production secrets and a real host name.
    "SECRET_KEY": "image-test-production-key-" + "Hq3$Wn8%Zr5&Ty1*Lp6#" * 2,
    "GITHUB_WEBHOOK_SECRET": "image-test-webhook-secret",
    "ALLOWED_HOSTS": PUBLIC_HOST,
    "WEB_CONCURRENCY": "2",
}


def _context(target: Path) -> Path:
    """The build context a fresh clone gives (tracked and new files), plus an operator's .env."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".env").write_text(f"SECRET_KEY={SECRET_MARKER}\n")
    (target / ".env.production").write_text(f"SECRET_KEY={SECRET_MARKER}\n")
    return target


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Build:
    context = _context(tmp_path_factory.mktemp("context"))
    base_env = {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(context), "LANG": "C.UTF-8"}
    return build(context, tmp_path_factory.mktemp("image"), base_env)


def _runtime_env(image: Build, tmp_path: Path, port: int) -> dict[str, str]:
    env = {**image.env, **RUNTIME_ENV, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/app.sqlite3"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


@pytest.fixture(scope="module")
def served(image: Build, tmp_path_factory):
    """The image's CMD, running as the container would run it."""
    tmp_path = tmp_path_factory.mktemp("run")
    port = free_port()
    env = _runtime_env(image, tmp_path, port)
    log = tmp_path / "gunicorn.log"
    executable = shutil.which(image.cmd[0], path=env["PATH"])
    assert executable, f"{image.cmd[0]} is not installed"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [executable, *image.cmd[1:]],
            cwd=image.workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: port_open(port) or proc.poll() is not None, timeout=60, what="gunicorn to listen")
        assert proc.poll() is None, log.read_text()
        yield port, env, log
    finally:
        stop(proc)


def _get(port: int, path: str, host: str, **headers: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
    finally:
        connection.close()


def test_the_build_runs_the_app_steps_and_skips_only_system_steps(image: Build):
    assert any("collectstatic" in step for step in image.ran)
    assert all(re.match(r"(pip install|useradd)", step) for step in image.skipped), image.skipped
    assert image.cmd[0] == "gunicorn"
    # The manifest whitenoise needs with DEBUG off was written by the build.
    assert (image.workdir / "staticfiles" / "staticfiles.json").is_file()


def test_secrets_in_the_build_context_never_enter_the_image(image: Build):
    copied = [path for path in image.root.rglob("*") if path.is_file()]
    assert copied, "nothing was copied: the test would prove nothing"
    assert not [path for path in copied if path.name.startswith(".env") and path.name != ".env.example"]
    assert not [path for path in copied if SECRET_MARKER.encode() in path.read_bytes()]


def test_the_image_serves_pages_and_static_files_with_debug_off(served):
    port, env, log = served
    assert "DEBUG" not in env or env["DEBUG"].lower() in {"false", "0"}
    # Through the TLS proxy, under the public name.
    status, _, body = _get(port, "/accounts/login/", PUBLIC_HOST, **{"X-Forwarded-Proto": "https"})
    assert status == 200, body[:2000] + log.read_text()[-3000:]
    assert "Sign in" in body
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page links no hashed stylesheet: the static manifest is not in use"
    status, headers, _ = _get(port, stylesheet.group(1), PUBLIC_HOST, **{"X-Forwarded-Proto": "https"})
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    # Host validation still guards the pages.
    assert _get(port, "/accounts/login/", "attacker.example.net", **{"X-Forwarded-Proto": "https"})[0] == 400
    # No mail is configured, so password reset says it is off (and nothing reaches the log).
    status, _, body = _get(port, "/accounts/password_reset/", PUBLIC_HOST, **{"X-Forwarded-Proto": "https"})
    assert status == 404 and "Password reset is off" in body
    assert "Internal Server Error" not in log.read_text()


def test_the_healthcheck_passes_whatever_allowed_hosts_says(served, image: Build):
    port, env, log = served
    # Probed by address over plain http, as compose and load balancers do; the address is not an allowed host.
    status, _, body = _get(port, "/healthz", f"127.0.0.1:{port}")
    assert status == 200, body + log.read_text()[-3000:]
    assert '"database": "ok"' in body
    # And compose's own healthcheck command, run inside the image's tree with the container's env.
    compose = yaml.safe_load((image.context / "docker-compose.yml").read_text())
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD"
    result = subprocess.run(test[1:], cwd=image.workdir, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
