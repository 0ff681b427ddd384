"""The repository's own signal-expectation suites through the real app.

``signal_cases.json`` holds the clinical signal cases; ``signal_cases_inputs.json`` holds cases
about how inputs are read (negation, stopped drugs, spellings and brands, units, codes).

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

HERE = Path(__file__).parent
SIGNAL_CASES = load_cases(HERE / "signal_cases.json")
INPUT_CASES = load_cases(HERE / "signal_cases_inputs.json")
CASES = SIGNAL_CASES + INPUT_CASES


def test_suite_is_substantial() -> None:
    assert len(SIGNAL_CASES) >= 60
    assert len(INPUT_CASES) >= 100
    assert all(str(c["source"]).strip() and str(c["why"]).strip() for c in CASES)


def test_ids_unique_across_files() -> None:
    ids = [str(c["id"]) for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", CASES, ids=[str(c["id"]) for c in CASES])
def test_signal_case(client: TestClient[Litestar], case: dict[str, Any]) -> None:
    response = client.post("/v1/check", json=case["request"])
    checks = evaluate(case, response.status_code, response.text)
    assert checks, f"{case['id']}: no expectation was checked"
    missed = [c.describe() for c in checks if not c.ok]
    assert not missed, f"case {case['id']} ({case['why']}):\n" + "\n".join(missed)
