"""Container healthcheck: exit 0 when the local gunicorn answers GET /healthz with 200.

Run as a script (`python tracker/healthcheck.py`), so it loads neither Django nor Celery. It finds the
port in GUNICORN_BIND, like gunicorn.conf.py. /healthz answers whatever the Host header says (see
tracker.middleware.HealthzMiddleware), so ALLOWED_HOSTS does not matter here.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def main() -> int:
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(f"healthcheck: {url} answered {exc.code}: {exc.read(500).decode(errors='replace')}", file=sys.stderr)
    except OSError as exc:
        print(f"healthcheck: {url} unreachable: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
