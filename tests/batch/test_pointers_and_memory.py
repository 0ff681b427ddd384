"""One pointer style everywhere (JSON Pointer: the CLI as HTTP), every error of a line,
and the memory a JSON-array batch takes in a real server process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import msgspec
import pytest

from service.batch.sample import sample_ndjson
from service.knowledge import KnowledgeBase
from tests.batch.conftest import decode_lines, run_cli
from tests.ops.conftest import ROOT, Server, peak_rss_kib

pytestmark = pytest.mark.slow

BAD = {"id": "bad", "patient": {"sex": "F"}, "medications": "Lasix", "labs": [{"value": 1}]}


def test_the_check_command_reports_json_pointers(tmp_path: Path) -> None:
    body = tmp_path / "bad.json"
    body.write_bytes(msgspec.json.encode({"medications": "Lasix", "labs": [{"value": "x"}]}))
    done = subprocess.run(
        [sys.executable, "-m", "service", "check", str(body)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "/medications: Expected `array`, got `str`" in done.stderr
    assert "/labs/0/value: Expected `float`, got `str`" in done.stderr
    assert "/labs/0: Object missing required field `unit`" in done.stderr
    assert "$." not in done.stderr


@pytest.mark.parametrize("kind", ["ndjson", "array"])
def test_a_batch_line_reports_every_error_with_json_pointers(tmp_path: Path, kind: str) -> None:
    source = tmp_path / f"bad.{kind}"
    good = {"id": "good", "medications": [{"text": "Lasix"}]}
    if kind == "array":
        source.write_bytes(msgspec.json.encode([good, BAD]))
    else:
        source.write_bytes(msgspec.json.encode(good) + b"\n" + msgspec.json.encode(BAD) + b"\n")
    done = run_cli([str(source), "-q"])
    assert done.returncode == 1
    _, bad = decode_lines(done.stdout)
    errors = bad["problem"]["errors"]
    assert {e["pointer"] for e in errors} >= {"/patient/sex", "/medications", "/labs/0"}
    assert all(e["pointer"].startswith("/") for e in errors)
    assert "/patient/sex" in bad["problem"]["detail"]


def test_a_broken_json_array_file_names_a_pointer_not_a_path(tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_bytes(b'[{"medications": []}, {"x": ]')
    done = run_cli([str(source), "-q"])
    assert done.returncode == 2
    message = " ".join(done.stderr.decode().split())
    assert "not a valid JSON array: JSON is malformed" in message
    assert "$" not in message


def test_a_10000_patient_json_array_does_not_hold_the_results(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """Before: the reports were all built, then encoded at once (+98 MiB for these
    patients, +410 MiB for 10,000 of the 16-item bench body). Now they are streamed."""
    lines = [line for line in sample_ndjson(kb, 10_000, seed=7).splitlines() if line.strip()]
    body = b"[" + b",".join(lines) + b"]"
    server = Server(tmp_path, CRAMP_LOG_LEVEL="warning")
    try:
        warm = httpx.post(f"{server.base}/v1/check/batch", json=[{"medications": []}] * 50)
        assert warm.status_code == 200
        before = peak_rss_kib(server.process.pid)
        with httpx.stream(
            "POST",
            f"{server.base}/v1/check/batch",
            content=body,
            headers={"content-type": "application/json"},
            timeout=300,
        ) as response:
            assert response.status_code == 200
            assert response.headers["transfer-encoding"] == "chunked"
            out = b"".join(response.iter_bytes())
        growth_mib = (peak_rss_kib(server.process.pid) - before) / 1024
    finally:
        server.stop()
    results = msgspec.json.decode(out)
    assert len(results["results"]) == 10_000
    assert results["summary"]["patients"] + results["summary"]["errors"] == 10_000
    print(f"JSON-array batch of 10,000 patients: peak RSS +{growth_mib:.1f} MiB")
    assert growth_mib < 40, f"peak RSS grew by {growth_mib:.0f} MiB"
