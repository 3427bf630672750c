"""Keep-alive connections opened at once spread over the gunicorn workers, with the production
gunicorn.conf.py and nothing on the command line that changes it (SPEC §7; README, Operating it).

A gthread worker accepts every connection it can: without a cap per worker, connections opened
together mostly land on one process and share its one CPU. Counted the way an operator would
check it, with `ss`.
"""

from __future__ import annotations

import re
import socket
import subprocess
from collections import Counter

from tests.support.processes import app_env, free_port, start_gunicorn, stop, wait_until

WORKERS = 3  # gunicorn.conf.py's default WEB_CONCURRENCY, passed as --workers by start_gunicorn
CLIENTS = 32  # gunicorn.conf.py's default GUNICORN_MAX_CLIENTS: at most 11 per worker


def connections_per_worker(port: int) -> Counter[int]:
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], check=True, text=True, capture_output=True
    ).stdout
    return Counter(int(pid) for pid in re.findall(r"pid=(\d+)", out))


def test_connections_opened_at_once_spread_over_every_worker(tmp_path):
    env = app_env()
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_MAX_CLIENTS"):
        env.pop(name, None)  # the file's defaults, as the image runs it
    port = free_port()
    server = start_gunicorn(env, port, workers=WORKERS, log=tmp_path / "gunicorn.log")
    clients: list[socket.socket] = []
    try:
        # Connected together and silent: each stays open (waiting for its request) while counted.
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CLIENTS)]
        wait_until(
            lambda: sum(connections_per_worker(port).values()) == CLIENTS,
            timeout=5,
            what="every connection to be accepted by a worker",
        )
        counts = connections_per_worker(port)
    finally:
        for client in clients:
            client.close()
        stop(server)
    assert len(counts) == WORKERS, counts
    assert max(counts.values()) <= -(-CLIENTS // WORKERS), counts
