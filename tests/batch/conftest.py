"""Batch fixtures: a realistic generated batch and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.batch.sample import sample_ndjson
from service.knowledge import KnowledgeBase

CLI_TIMEOUT = 120


def run_cli(
    args: Sequence[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m service batch ARGS`` as a user runs it (stderr is not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "service", "batch", *args],
        input=stdin,
        capture_output=True,
        timeout=CLI_TIMEOUT,
        check=False,
        env={**os.environ, **(env or {})},
    )


def decode_lines(data: bytes) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in data.splitlines()]


@pytest.fixture(scope="session")
def batch_2k(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated patients plus a few bad lines and a blank line, as an NDJSON file."""
    extra = b'\n{"id": "bad-1", "medications": [{}]}\nnot json\n{"id": "p-last"}\n'
    path = tmp_path_factory.mktemp("batch") / "patients.ndjson"
    path.write_bytes(sample_ndjson(kb, 2_000, seed=7) + extra)
    return path


@pytest.fixture(scope="session")
def cli_2k(batch_2k: Path) -> bytes:
    """The CLI's NDJSON output for ``batch_2k`` (one process): the reference output."""
    done = run_cli([str(batch_2k), "-q"])
    assert done.returncode == 1, done.stderr  # two bad lines
    return done.stdout
