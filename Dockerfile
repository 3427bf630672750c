FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# .dockerignore keeps .env, the virtualenv and local databases out: no secret enters the image.
COPY . .
# Static files are collected with the settings the image runs with (DEBUG off), which write the
# manifest that whitenoise's storage needs: without it every page is a 500. collectstatic uses no
# secret, but production settings insist on one, so it gets a random key that dies with this step.
RUN DEBUG=false \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    GITHUB_WEBHOOK_SECRET=collectstatic-only \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 app && chown -R app /app
USER app

EXPOSE 8000
# Workers, threads and bind address: gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_BIND).
# Health: `python tracker/healthcheck.py` (docker-compose.yml runs it for web).
CMD ["gunicorn", "tracker.wsgi:application"]
