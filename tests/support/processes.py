"""Real processes for fault tests and benchmarks: gunicorn, Celery workers, a private Redis,
and a TCP proxy in front of PostgreSQL that can be cut and restored.

Everything here is started by the caller and stopped by the caller (or its fixture), by
process id, never by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
    """Bounded polling for a real process to reach a state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop one process we started (and its process group), waiting for it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of a production-like app process (DEBUG off, secrets set)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DEBUG": "false",
            # Long and varied: production settings refuse a guessable key.
            "SECRET_KEY": "test-only-production-key-" + "Zq8#Lm2@Vx5!Rt7^Kp4&Nw9*" * 2,
            "GITHUB_WEBHOOK_SECRET": env.get("GITHUB_WEBHOOK_SECRET", "test-webhook-secret"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "false",
            "WHITENOISE_USE_FINDERS": "true",
            # Production settings, but static files from the finders: no collectstatic needed.
            "DJANGO_SETTINGS_MODULE": "tests.support.process_settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def start_gunicorn(env: dict[str, str], port: int, *, workers: int = 1, log: Path | None = None) -> subprocess.Popen:
    cmd = [
        str(BIN / "gunicorn"),
        "tracker.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    proc = _spawn(cmd, env, log)
    wait_until(lambda: port_open(port) or proc.poll() is not None, timeout=30, what="gunicorn to listen")
    if proc.poll() is not None:
        raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
    return proc


def start_celery_worker(
    env: dict[str, str], *, name: str, concurrency: int = 1, log: Path | None = None, pool: str = "prefork"
) -> subprocess.Popen:
    cmd = [
        str(BIN / "celery"),
        "-A",
        "tracker",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--pool",
        pool,
        "--hostname",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return _spawn(cmd, env, log)


def start_redis(port: int, log: Path | None = None) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if not server:
        raise RuntimeError("redis-server is not installed")
    cmd = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = _spawn(cmd, dict(os.environ), log)
    wait_until(lambda: port_open(port), timeout=15, what=f"redis-server on {port}")
    return proc


def _spawn(cmd: list[str], env: dict[str, str], log: Path | None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    # A new session makes the child its own process group, so stop() reaches its children too.
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The database 'goes away': open connections die, new ones are refused."""
        if self._listener:
            # shutdown() wakes the thread blocked in accept(), so the port is really released.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.start()

    def close(self) -> None:
        self.cut()
