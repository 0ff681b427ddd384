"""The repository's own signal-expectation suite (``signal_cases.json``) through the real app.

Each case states what a demanding clinical reviewer expects of the alert: severity, which
inputs one finding joins, negation and temporality, entry errors, visible spelling
corrections and a concise note (``tests/cases/signal_scoring.py`` defines every kind).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.cases.signal_scoring import evaluate, load_cases

CASES = load_cases(Path(__file__).parent / "signal_cases.json")


def test_suite_is_substantial() -> None:
    assert len(CASES) >= 60
    assert all(str(c["source"]).strip() and str(c["why"]).strip() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[str(c["id"]) for c in CASES])
def test_signal_case(client: TestClient[Litestar], case: dict[str, Any]) -> None:
    response = client.post("/v1/check", json=case["request"])
    checks = evaluate(case, response.status_code, response.text)
    assert checks, f"{case['id']}: no expectation was checked"
    missed = [c.describe() for c in checks if not c.ok]
    assert not missed, f"case {case['id']} ({case['why']}):\n" + "\n".join(missed)
