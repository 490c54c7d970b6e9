# ledgersync in a container: the built wheel, static files collected, run as a non-root user.
#   docker build -t ledgersync .
#   docker run --env-file ledgersync.env -p 8000:8000 ledgersync          # the web server
#   docker run --env-file ledgersync.env ledgersync ledgersync worker      # a worker
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LEDGERSYNC_HOST=0.0.0.0 \
    LEDGERSYNC_PORT=8000 \
    LEDGERSYNC_VAR_DIR=/var/lib/ledgersync \
    LEDGERSYNC_STATIC_ROOT=/opt/ledgersync/static
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl \
    && useradd --system --home-dir /var/lib/ledgersync --create-home ledgersync \
    && mkdir -p /opt/ledgersync/static \
    && SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789 \
       DJANGO_SETTINGS_MODULE=ledgersync.settings \
       python -m django collectstatic --noinput --verbosity 0 \
    && chown -R ledgersync:ledgersync /var/lib/ledgersync
USER ledgersync
WORKDIR /var/lib/ledgersync
EXPOSE 8000
CMD ["ledgersync", "serve"]
