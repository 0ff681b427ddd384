"""Start-up of `python -m service serve`: a configuration error is one clear line naming
the variable (no traceback) and a non-zero exit; a warning when API keys are off on an
address other than loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, free_port

pytestmark = pytest.mark.slow


def serve(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env={**os.environ, "CRAMP_HOST": "127.0.0.1", "CRAMP_PORT": str(free_port()), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"CRAMP_PORT": "eighty"}, "CRAMP_PORT"),
        ({"CRAMP_HEADER_TIMEOUT": "-1"}, "CRAMP_HEADER_TIMEOUT"),
        ({"CRAMP_LOG_FORMAT": "xml"}, "CRAMP_LOG_FORMAT"),
        ({"CRAMP_FHIR_READ_TIMEOUT": "soon"}, "CRAMP_FHIR_READ_TIMEOUT"),
        ({"CRAMP_DATASETS_DIR": "/nonexistent/datasets"}, "CRAMP_DATASETS_DIR"),
        (
            {
                "CRAMP_CDS_JWT_ISSUERS": "https://ehr.example",
                "CRAMP_PUBLIC_URL": "https://cramp.example",
                "CRAMP_CDS_JWKS": '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}',
            },
            "CRAMP_CDS_JWKS",
        ),
        (
            {
                "CRAMP_CDS_JWT_ISSUERS": "https://ehr.example",
                "CRAMP_PUBLIC_URL": "https://cramp.example",
                "CRAMP_CDS_JWKS": "/nonexistent/jwks.json",
            },
            "CRAMP_CDS_JWKS",
        ),
    ],
)
def test_a_configuration_error_is_one_line_naming_the_variable(
    env: dict[str, str], variable: str
) -> None:
    done = serve(env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Error: configuration error: {variable}: ")
    assert "Traceback" not in done.stderr


def test_no_api_keys_on_a_public_address_is_warned_about(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is not on this machine: the warning comes before the bind,
    # which then fails, so nothing ever listens beyond loopback.
    done = serve({"CRAMP_HOST": "192.0.2.1", "CRAMP_LOG_FORMAT": "json"})
    assert done.returncode != 0
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    warnings = [r for r in records if r["level"] == "warning"]
    assert any("CRAMP_API_KEYS" in r["message"] and "192.0.2.1" in r["message"] for r in warnings)
    with_keys = serve({"CRAMP_HOST": "192.0.2.1", "CRAMP_API_KEYS": "k-1"})
    assert "API-key authentication is off" not in with_keys.stderr
