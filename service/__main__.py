"""Command line: ``python -m service serve | openapi | check``."""

from __future__ import annotations

import atexit
import ipaddress
import json
import logging
import logging.config
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import click
import msgspec

from service.batch.cli import batch
from service.decoding import BodyError, StrictDecoder
from service.engine import CheckRequest, check, load
from service.engine.errors import IMPLAUSIBLE_TITLE, ImplausibleValueError
from service.knowledge import KnowledgeError, load_knowledge
from service.knowledge.catalogue import render_catalogue
from service.settings import ConfigurationError, Settings
from service.web.observability import logging_config
from service.web.openapi import refine

_log = logging.getLogger("cramp.start")


def load_settings() -> Settings:
    """The settings, or one line naming the variable at fault and exit status 2."""
    try:
        return Settings.from_env()
    except ConfigurationError as exc:
        raise ConfigurationProblem(str(exc)) from None


class ConfigurationProblem(click.ClickException):
    """A start-up error: one line on standard error, no traceback, exit status 2."""

    exit_code = 2

    def format_message(self) -> str:
        return f"configuration error: {self.message}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.group()
def main() -> None:
    """Cramp and spasm risk checker."""


@main.command()
@click.option("--host", default=None, help="Bind address (default CRAMP_HOST or 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default CRAMP_PORT or 8000).")
@click.option(
    "--workers", type=int, default=None, help="Worker processes (default CRAMP_WORKERS or 1)."
)
@click.option("--log-level", default=None, help="Log level (default CRAMP_LOG_LEVEL or info).")
def serve(host: str | None, port: int | None, workers: int | None, log_level: str | None) -> None:
    """Start the HTTP server (uvicorn) on service.app:app; configured by CRAMP_* variables."""
    settings = load_settings()
    # Imported here: the other commands (batch workers above all) start faster without.
    from service.app import create_app  # noqa: PLC0415
    from service.web.server import GuardedConfig, ServerLimits, run  # noqa: PLC0415

    workers = workers or settings.workers
    host = host or settings.host
    level = (log_level or settings.log_level).lower()
    log_config = logging_config(level, settings.log_format)
    logging.config.dictConfig(log_config)
    try:
        knowledge = load(settings.datasets_dir)
        app = create_app(settings, knowledge)
    except KnowledgeError as exc:
        raise ConfigurationProblem(f"CRAMP_DATASETS_DIR: {_one_line(str(exc))}") from None
    except ConfigurationError as exc:
        raise ConfigurationProblem(_one_line(str(exc))) from None
    if not settings.api_keys and not _loopback(host):
        _log.warning(
            "API-key authentication is off (CRAMP_API_KEYS is empty) and the service listens "
            "on %s: anyone who can reach the port can call it. Set CRAMP_API_KEYS, or bind "
            "CRAMP_HOST=127.0.0.1 behind an authenticating proxy.",
            host,
        )
    # One process: this app. Several: each worker builds its own from service.app.
    target: Any = app
    if workers > 1:
        shared_metrics_dir()
        target = "service.app:app"
        del app, knowledge
    limits = ServerLimits(
        max_header_bytes=settings.max_header_bytes,
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        body_min_rate=settings.body_min_rate,
        body_deadline=settings.body_deadline,
        send_timeout=settings.send_timeout,
        max_connections=settings.max_connections,
    )
    run(
        GuardedConfig(
            target,
            limits=limits,
            host=host,
            port=port or settings.port,
            workers=workers,
            log_level=level,
            log_config=log_config,
            access_log=False,  # replaced by the app's own (route template, request id, no query)
            server_header=False,
            proxy_headers=False,
            timeout_graceful_shutdown=settings.graceful_timeout,
            timeout_keep_alive=settings.keepalive_timeout,
            backlog=settings.backlog,
        )
    )


def shared_metrics_dir() -> None:
    """Several workers: let prometheus-client merge their counts (one scrape, all workers).

    The directory is named after this process; uvicorn ends by re-raising SIGTERM, so
    directories of servers that are gone are removed at the next start instead."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    base = Path(tempfile.gettempdir())
    for stale in base.glob("cramp-metrics-*"):
        pid = stale.name.removeprefix("cramp-metrics-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
    directory = base / f"cramp-metrics-{os.getpid()}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def openapi_document() -> dict[str, object]:
    # Imported here: importing service.app builds the ASGI app, which only this command
    # needs; every other command (batch workers above all) starts faster without it.
    from service.app import create_app  # noqa: PLC0415

    app = create_app()
    document: dict[str, object] = refine(app.openapi_schema).to_schema()
    return document


def render_openapi() -> str:
    return json.dumps(msgspec.to_builtins(openapi_document()), indent=2, sort_keys=True) + "\n"


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@main.command()
@output_option
def openapi(output: Path | None) -> None:
    """Print (or write) the OpenAPI document the app serves."""
    emit(render_openapi(), output)


@main.command()
@output_option
def catalogue(output: Path | None) -> None:
    """Render the knowledge catalogue (markdown) for clinical reviewers."""
    emit(render_catalogue(load_knowledge(load_settings().datasets_dir)), output)


@main.command("check")
@click.argument("request_file", type=click.File("rb"), default="-")
def check_command(request_file: BinaryIO) -> None:
    """Check one request body (JSON) from a file or standard input; print the report.

    An invalid body is reported as the API reports it: each error with its JSON Pointer."""
    settings = load_settings()
    try:
        request = _check_request.decode(request_file.read())
    except BodyError as exc:
        lines = "".join(
            f"\n  {pointer or '(the body)'}: {detail}" for pointer, detail in exc.errors
        )
        raise click.ClickException(f"invalid request: {exc.title}{lines}") from None
    try:
        report = check(request, load(settings.datasets_dir))
    except ImplausibleValueError as exc:
        lines = "".join(f"\n  {pointer}: {detail}" for pointer, detail in exc.problems)
        raise click.ClickException(f"invalid request: {IMPLAUSIBLE_TITLE}{lines}") from None
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(report)).decode() + "\n")


_check_request = StrictDecoder(CheckRequest)

main.add_command(batch)

if __name__ == "__main__":
    main()
