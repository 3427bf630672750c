FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise.
RUN DEBUG=true python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 app && chown -R app /app
USER app

EXPOSE 8000
# Workers, threads and bind address: gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn", "tracker.wsgi:application"]
