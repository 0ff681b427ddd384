"""Clinical case suites scored through the real HTTP API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.cases.scoring import load_cases, score

HERE = Path(__file__).parent
SHARED = HERE.parents[2] / "shared"


def _post(client: TestClient[Litestar]) -> Any:
    def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = client.post("/v1/check", json=body)
        return response.status_code, response.json()

    return post


def test_shared_examples_all_pass(client: TestClient[Litestar]) -> None:
    result = score(load_cases(HERE / "examples.json"), _post(client))
    assert result.misses == [], result.summary()


def test_clinical_suite_meets_thresholds(client: TestClient[Litestar]) -> None:
    cases = load_cases(HERE / "clinical_cases.json")
    assert len(cases) >= 60
    result = score(cases, _post(client))
    assert result.failing() == [], result.summary() + "\n" + "\n".join(result.misses)


def test_clinical_suite_has_no_miss(client: TestClient[Litestar]) -> None:
    """Stricter than the thresholds: every scored input of our own suite is right."""
    result = score(load_cases(HERE / "clinical_cases.json"), _post(client))
    assert result.misses == [], result.summary() + "\n" + "\n".join(result.misses)


@pytest.mark.skipif(
    not (SHARED / "tools" / "score_cases.py").exists(),
    reason="shared/tools/score_cases.py is beside the repo only in CI",
)
@pytest.mark.parametrize("cases", ["examples.json", "clinical_cases.json"])
def test_reference_scorer_over_loopback(live_server: str, cases: str) -> None:
    """The project's reference scorer, unchanged, against a real server on 127.0.0.1."""
    result = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "score_cases.py"), live_server, str(HERE / cases)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
