# Granted: one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never \
    DJANGO_SETTINGS_MODULE=config.settings \
    STORAGE_ROOT=/data/storage

# The libraries WeasyPrint loads (PDF letters); HarfBuzz subsetting keeps letters fast.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 granted \
    && useradd --system --uid 1000 --gid granted --home-dir /app --shell /usr/sbin/nologin granted \
    && mkdir -p /app /data/storage \
    && chown granted:granted /app /data/storage

WORKDIR /app

# Dependencies first (cached while requirements.lock is unchanged). The lock holds the dev tools too.
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.9 \
    && uv pip sync --system --no-cache requirements.lock

COPY --chown=granted:granted . .

USER granted

# Static files for whitenoise, hashed and compressed. The key only lets settings load at build time.
RUN SECRET_KEY=collectstatic-build-time-only-key DEBUG=0 python manage.py collectstatic --noinput

EXPOSE 8000
VOLUME ["/data/storage"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
