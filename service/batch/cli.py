"""``python -m service batch IN -o OUT``: check many patients from NDJSON, a JSON array
or a folder of FHIR R4 Bundles; write NDJSON (and optionally CSV and a markdown summary).

Exit codes: 0 every line was checked, 1 some lines had problems (see their ``problem``),
2 usage or input error (nothing usable to read, unreadable knowledge, unwritable output),
3 internal error (a worker process died).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from service.batch.models import Tally
from service.batch.readers import Input, InputError, open_input
from service.batch.runner import DEFAULT_CHUNK, ChunkResult, run
from service.batch.writers import csv_header, markdown_summary
from service.engine import load
from service.knowledge import KnowledgeError
from service.settings import ConfigurationError, Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class _Outputs:
    ndjson: BinaryIO
    csv: TextIO | None


def _identity(path: Path | str) -> tuple[int, int] | str | None:
    """What makes two paths one file: device and inode when it exists (hard links and
    symbolic links included), else the path with every link resolved; ``None`` for a
    device or pipe (``/dev/null`` twice overwrites nothing)."""
    try:
        found = Path(path).stat()
    except OSError:
        return os.path.realpath(path)
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_dev, found.st_ino)


def check_distinct(named: dict[str, Path | str | None]) -> None:
    """Refuse (``InputError``) when two of IN, -o, --csv and --summary are one file (``-``
    and options not given excepted): an output would overwrite the input or another
    output. Checked before anything is read or written."""
    seen: dict[tuple[int, int] | str, str] = {}
    for option, path in named.items():
        if path is None or str(path) == "-":
            continue
        identity = _identity(path)
        if identity is None:
            continue
        if (earlier := seen.get(identity)) is not None:
            what = "the input" if earlier == "IN" else f"the {earlier} output"
            raise InputError(f"{path}: the {option} output would overwrite {what}")
        seen[identity] = option


def _open_outputs(stack: contextlib.ExitStack, output: str, csv_path: Path | None) -> _Outputs:
    try:
        ndjson: BinaryIO = sys.stdout.buffer
        if output != "-":
            target = Path(output)
            ndjson = stack.enter_context(target.open("wb"))
        csv = None
        if csv_path is not None:
            csv = stack.enter_context(csv_path.open("w", encoding="utf-8", newline=""))
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename}: {exc.strerror}") from None
    return _Outputs(ndjson, csv)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[lines]:>9,} lines"),
        TextColumn("{task.fields[rate]:>9,.0f}/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _drive(
    chunks: Iterator[ChunkResult],
    source: Input,
    outputs: _Outputs,
    progress: Progress | None,
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    task = (
        progress.add_task("checking", total=source.total, lines=0, rate=0.0)
        if progress is not None
        else None
    )
    if outputs.csv is not None:
        outputs.csv.write(csv_header())
    for chunk in chunks:
        outputs.ndjson.write(chunk.ndjson)
        if outputs.csv is not None:
            outputs.csv.write(chunk.csv)
        tally.merge(chunk.tally)
        if progress is not None and task is not None:
            elapsed = time.perf_counter() - started
            progress.update(
                task,
                total=source.total,
                completed=source.done,
                lines=tally.lines,
                rate=tally.lines / elapsed if elapsed else 0.0,
            )
    outputs.ndjson.flush()
    return tally, time.perf_counter() - started


@click.command("batch")
@click.argument("input_path", metavar="IN")
@click.option(
    "-o",
    "--output",
    metavar="OUT",
    default="-",
    show_default=True,
    help="NDJSON output, one line per patient in input order (`-` = standard output).",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write CSV: one row per finding (one row for a patient without findings).",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a markdown summary.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 512),
    default=1,
    show_default=True,
    help="Worker processes (each loads the knowledge base once).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_CHUNK,
    show_default=True,
    help="Lines per unit of work.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on standard error (default: only when it is a terminal).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard error.")
def batch(
    input_path: str,
    output: str,
    csv_path: Path | None,
    summary_path: Path | None,
    workers: int,
    chunk_size: int,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Check many patients: IN is NDJSON (one check request per line, each with an
    optional `id`), a JSON array of requests, or a folder of FHIR R4 Bundles (*.json,
    one patient each); `-` reads standard input.

    Each output line is `{"id": ..., "report": {...}}` or `{"id": ..., "problem": {...}}`;
    a line without an `id` gets its 1-based line number (array position, file name).
    Exit status: 0 all checked, 1 some lines had problems, 2 usage or input error,
    3 internal error.
    """
    console = Console(stderr=True)
    outputs_named = {"-o": output, "--csv": csv_path, "--summary": summary_path}
    try:
        check_distinct({"IN": input_path, **outputs_named})
        settings = Settings.from_env()
        knowledge = load(settings.datasets_dir)
        written = tuple(Path(p) for p in outputs_named.values() if p is not None and str(p) != "-")
        source, stream = open_input(input_path, settings.max_body_bytes, written)
    except (InputError, KnowledgeError, ConfigurationError) as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(EXIT_USAGE)
    show = console.is_terminal if progress is None else progress
    try:
        with contextlib.ExitStack() as stack:
            if stream is not None:
                stack.callback(stream.close)
            outputs = _open_outputs(stack, output, csv_path)
            bar = stack.enter_context(_progress(console)) if show else None
            chunks = run(
                source,
                knowledge,
                workers=workers,
                datasets_dir=settings.datasets_dir,
                fhir=settings.fhir,
                chunk_size=chunk_size,
                with_csv=outputs.csv is not None,
            )
            tally, seconds = _drive(chunks, source, outputs, bar)
        if summary_path is not None:
            summary_path.write_text(
                markdown_summary(
                    tally, source=source.name, seconds=seconds, knowledge_version=knowledge.version
                ),
                encoding="utf-8",
            )
    except BrokenProcessPool:
        console.print("[red]error:[/] a worker process died", highlight=False)
        sys.exit(EXIT_INTERNAL)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, without a flush error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_USAGE)
    except (InputError, OSError) as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(EXIT_USAGE)
    if not tally.lines:
        # Nothing to check is an input error (as the HTTP route's 400), not a success: a
        # nightly job whose export came out empty must not look as if it ran.
        console.print(f"[red]error:[/] {escape(source.name)}: no lines to check", highlight=False)
        sys.exit(EXIT_USAGE)
    if not quiet:
        rate = tally.lines / seconds if seconds > 0 else 0.0
        console.print(
            f"{tally.patients:,} patients, {tally.flagged:,} flagged, "
            f"{tally.unrecognized_inputs:,} unrecognized inputs, {tally.errors:,} errors "
            f"in {seconds:.2f} s ({rate:,.0f} patients/s)",
            highlight=False,
        )
    sys.exit(EXIT_PROBLEMS if tally.errors else EXIT_OK)
