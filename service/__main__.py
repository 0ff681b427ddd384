"""Command line: ``python -m service serve | openapi | check``."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

import click
import msgspec
import uvicorn

from service.batch.cli import batch
from service.engine import CheckRequest, check, load
from service.knowledge import load_knowledge
from service.knowledge.catalogue import render_catalogue
from service.settings import Settings
from service.web.observability import logging_config
from service.web.openapi import refine


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
    settings = Settings.from_env()
    workers = workers or settings.workers
    level = (log_level or settings.log_level).lower()
    if workers > 1:
        shared_metrics_dir()
    uvicorn.run(
        "service.app:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=level,
        log_config=logging_config(level, settings.log_format),
        access_log=False,  # replaced by the app's own (route template, request id, no query)
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=settings.graceful_timeout,
        timeout_keep_alive=settings.keepalive_timeout,
        limit_concurrency=settings.limit_concurrency or None,
        backlog=settings.backlog,
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
    emit(render_catalogue(load_knowledge(Settings.from_env().datasets_dir)), output)


@main.command("check")
@click.argument("request_file", type=click.File("rb"), default="-")
def check_command(request_file: BinaryIO) -> None:
    """Check one request body (JSON) from a file or standard input; print the report."""
    try:
        request = msgspec.json.decode(request_file.read(), type=CheckRequest)
    except msgspec.DecodeError as exc:
        raise click.ClickException(f"invalid request: {exc}") from exc
    report = check(request, load(Settings.from_env().datasets_dir))
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(report)).decode() + "\n")


main.add_command(batch)

if __name__ == "__main__":
    main()
