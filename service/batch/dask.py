"""Batch checks on a Dask cluster (distributed scheduler): the same line function as the
CLI, mapped over partitions of NDJSON text; each worker process loads the knowledge base
once (``KnowledgePlugin`` at worker start, else on its first partition).

    from distributed import Client
    from service.batch.dask import KnowledgePlugin, check_files

    client = Client("tcp://scheduler:8786")
    client.register_plugin(KnowledgePlugin())
    check_files(["s3://bucket/in/*.ndjson"], "s3://bucket/out/")

or ``python -m service.batch.dask IN... -o OUTDIR --scheduler tcp://scheduler:8786``.
A line without an ``id`` gets its 1-based line number over all inputs (in order, as if
concatenated), so the output equals ``python -m service batch`` on the concatenation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any, cast

import click
import dask
import dask.bag as db
from dask.delayed import Delayed, delayed
from distributed import Client, LocalCluster, Worker, WorkerPlugin

from service.batch.partition import check_partition, knowledge

# dask has no type hints for these
_dask: Any = dask
DEFAULT_BLOCKSIZE = "64MiB"
# Text decoding that keeps invalid UTF-8 bytes, so a bad line fails alone (as in the CLI).
_ERRORS = "surrogateescape"


class KnowledgePlugin(WorkerPlugin):
    """Loads the knowledge base when a worker starts (also on workers that join later)."""

    name = "cramp-checker-knowledge"

    def __init__(self, datasets_dir: str | None = None) -> None:
        self.datasets_dir = datasets_dir

    def setup(self, worker: Worker) -> None:
        knowledge(self.datasets_dir)


def _count(partition: Iterable[Any]) -> int:
    return sum(1 for _ in partition)


def check_bag(lines: db.Bag, datasets_dir: str | None = None) -> db.Bag:
    """A bag of NDJSON result lines (text, no line end), in the order of ``lines``.

    Line numbers need each partition's offset: one cheap pass counts the lines of every
    partition, then each partition is checked knowing its first line number.
    """
    parts: list[Delayed] = list(lines.to_delayed())  # type: ignore[no-untyped-call]
    counts = _dask.compute(*(delayed(_count)(part) for part in parts))
    starts = itertools.accumulate(counts, initial=1)
    checked = [
        delayed(check_partition)(part, start, datasets_dir)
        for part, start in zip(parts, starts, strict=False)
    ]
    return cast(db.Bag, db.from_delayed(checked))  # type: ignore[no-untyped-call]


def read_ndjson(paths: str | list[str], blocksize: str | int | None = DEFAULT_BLOCKSIZE) -> db.Bag:
    """NDJSON input lines (files, globs or URLs fsspec can read), ``blocksize`` per partition."""
    bag = db.read_text(paths, blocksize=blocksize, errors=_ERRORS)  # type: ignore[no-untyped-call]
    return cast(db.Bag, bag)


def _ndjson_text(partition: Iterable[str]) -> list[str]:
    return ["".join(f"{line}\n" for line in partition)]


def write_ndjson(results: db.Bag, directory: str) -> list[str]:
    """Write one NDJSON file per partition (``00000.ndjson``, ...): read in name order,
    they are the results in input order."""
    texts = results.map_partitions(_ndjson_text)  # type: ignore[no-untyped-call]
    written: list[str] = texts.to_textfiles(
        f"{directory.rstrip('/')}/*.ndjson", name_function="{:05d}".format, errors=_ERRORS
    )
    return written


def check_files(
    paths: str | list[str],
    directory: str,
    *,
    blocksize: str | int | None = DEFAULT_BLOCKSIZE,
    datasets_dir: str | None = None,
) -> list[str]:
    """Check NDJSON ``paths`` on the current Dask scheduler; write results to ``directory``."""
    return write_ndjson(check_bag(read_ndjson(paths, blocksize), datasets_dir), directory)


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="Output directory (local path or URL).")
@click.option("--scheduler", default=None, help="Scheduler address; default: a local cluster.")
@click.option("--workers", type=int, default=2, show_default=True, help="Local cluster size.")
@click.option("--blocksize", default=DEFAULT_BLOCKSIZE, show_default=True, help="Per partition.")
@click.option(
    "--datasets-dir",
    default=None,
    envvar="CRAMP_DATASETS_DIR",
    help="Knowledge datasets on the workers (default: CRAMP_DATASETS_DIR or the shipped ones).",
)
def main(
    inputs: tuple[str, ...],
    output: str,
    scheduler: str | None,
    workers: int,
    blocksize: str,
    datasets_dir: str | None,
) -> None:
    """Check NDJSON INPUTS (files, globs, URLs) on Dask; write NDJSON files to OUTPUT."""
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, dashboard_address=None
        )
    with Client(scheduler or cluster) as client:  # type: ignore[no-untyped-call]
        client.register_plugin(KnowledgePlugin(datasets_dir))
        written = check_files(list(inputs), output, blocksize=blocksize, datasets_dir=datasets_dir)
    if cluster is not None:
        cluster.close()
    click.echo(f"{len(written)} files written to {output}", err=True)


if __name__ == "__main__":
    main()
