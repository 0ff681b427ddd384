"""Command line: ``python -m service serve | openapi | check``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click
import msgspec
import uvicorn

from service.app import create_app
from service.batch.cli import batch
from service.engine import CheckRequest, check
from service.knowledge import load_knowledge
from service.knowledge.catalogue import render_catalogue
from service.settings import Settings
from service.web.openapi import refine


@click.group()
def main() -> None:
    """Cramp and spasm risk checker."""


@main.command()
@click.option("--host", default=None, help="Bind address (default CRAMP_HOST or 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default CRAMP_PORT or 8000).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--log-level", default=None, help="Log level (default CRAMP_LOG_LEVEL or info).")
def serve(host: str | None, port: int | None, workers: int, log_level: str | None) -> None:
    """Start the HTTP server (uvicorn) on service.app:app."""
    settings = Settings.from_env()
    uvicorn.run(
        "service.app:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=log_level or settings.log_level,
        server_header=False,
        proxy_headers=False,
    )


def openapi_document() -> dict[str, object]:
    app = create_app()
    document: dict[str, object] = refine(app.openapi_schema).to_schema()
    return document


def render_openapi() -> str:
    return json.dumps(msgspec.to_builtins(openapi_document()), indent=2, sort_keys=True) + "\n"


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def openapi(output: Path | None) -> None:
    """Print (or write) the OpenAPI document the app serves."""
    text = render_openapi()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def catalogue(output: Path | None) -> None:
    """Render the knowledge catalogue (markdown) for clinical reviewers."""
    text = render_catalogue(load_knowledge(Settings.from_env().datasets_dir))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@main.command("check")
@click.argument("request_file", type=click.File("rb"), default="-")
def check_command(request_file: BinaryIO) -> None:
    """Check one request body (JSON) from a file or standard input; print the report."""
    try:
        request = msgspec.json.decode(request_file.read(), type=CheckRequest)
    except msgspec.DecodeError as exc:
        raise click.ClickException(f"invalid request: {exc}") from exc
    report = check(request, load_knowledge(Settings.from_env().datasets_dir))
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(report)).decode() + "\n")


main.add_command(batch)

if __name__ == "__main__":
    main()
