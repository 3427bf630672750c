"""/healthz answers whatever the Host header says (probes call it by IP or service name), and only it:
every other path still refuses a host outside ALLOWED_HOSTS."""

import pytest

PROBE_HOST = "10.1.2.3:8000"  # a container address, not an allowed host


@pytest.fixture
def real_hosts(settings):
    settings.ALLOWED_HOSTS = ["postmortems.example.com"]


def test_healthz_answers_a_probe_by_address(client, db, real_hosts):
    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    # Still a page of this site: the security headers are on it, and nothing is cached.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz/", "/api/v1/postmortems/"])
def test_other_paths_still_refuse_a_host_outside_allowed_hosts(client, db, real_hosts, path):
    assert client.get(path, HTTP_HOST=PROBE_HOST).status_code == 400


def test_healthz_only_reads(client, db, real_hosts):
    assert client.post("/healthz", HTTP_HOST=PROBE_HOST).status_code == 405
