# Production image of the cramp/spasm risk checker (REST /v1 + CDS Hooks).
#   docker build -t cramp-checker .          (or: podman build --format docker ...)
#   docker run -p 8000:8000 cramp-checker
# Every setting is an environment variable (CRAMP_*); see docs/operations.md.

ARG PYTHON_IMAGE=docker.io/library/python:3.11-slim

# ---- build: a virtual environment with the locked dependencies only -------------------
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON_PREFERENCE=only-system \
    UV_SYSTEM_CERTS=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv
RUN python -m pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
# Only the lock decides what is installed (versions and hashes): this layer is rebuilt
# when pyproject.toml or uv.lock change, not when the code or the knowledge changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# ---- compile: the engine built ahead of time with mypyc (scripts/compile.py) ------------
# The same source stays the pure Python fallback; the test suite proves both give
# byte-identical reports. The compiler, mypy and setuptools stay in this stage.
FROM build AS compile
# The official image carries the Python headers; a Debian-Python base needs python3-dev.
# hadolint ignore=DL3008
RUN packages="gcc libc6-dev" \
 && if [ ! -f "$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]; then \
        packages="$packages python3-dev"; \
    fi \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages \
 && rm -rf /var/lib/apt/lists/*
ENV UV_PROJECT_ENVIRONMENT=/opt/compile-venv
RUN uv sync --frozen --no-dev --group compile --no-install-project
COPY service/ /src/service/
COPY scripts/compile.py /src/scripts/compile.py
RUN /opt/compile-venv/bin/python scripts/compile.py \
 && find /src/service -name '*.c' -delete

# ---- runtime: the same slim base, the venv, the code and the knowledge -----------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cramp-checker" \
      org.opencontainers.image.description="Medications, conditions and labs that may contribute to leg cramps and muscle spasms"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    CRAMP_HOST=0.0.0.0 \
    CRAMP_PORT=8000 \
    CRAMP_WORKERS=1 \
    CRAMP_LOG_FORMAT=json \
    CRAMP_DATASETS_DIR=/app/datasets
RUN groupadd --system --gid 10001 cramp \
 && useradd --system --uid 10001 --gid cramp --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin cramp
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Code and knowledge stay owned by root: the service user can read but not change them.
COPY --from=compile /src/service/ /app/service/
COPY datasets/ /app/datasets/
RUN python -m compileall -q /app/service
USER 10001:10001
EXPOSE 8000
# uvicorn finishes in-flight requests on SIGTERM (bounded by CRAMP_GRACEFUL_TIMEOUT).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CRAMP_PORT', '8000'), timeout=2)"]
CMD ["python", "-m", "service", "serve"]
