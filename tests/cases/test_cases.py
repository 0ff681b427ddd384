"""Clinical case suites scored through the real HTTP API.

The project's reference scorer and signal check, which live outside the repository, run
against a real server in their own CI step: ``scripts/reference-check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.cases.scoring import load_cases, score

HERE = Path(__file__).parent


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
