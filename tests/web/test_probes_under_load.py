"""Review 20 B8: the orchestrator's probes are answered while worst-case checks run.

A valid worst-case ``/v1/check`` (about 700 kB within every documented limit: 200
medications and 200 conditions of 500 characters of unknown words, each with two codings
with a 500-character display, and 100 labs by text) takes about 1.8 s of CPU. The checks
ran on the event loop, so while two of them ran ``/healthz`` and ``/readyz`` waited for
them (seconds), past ``deploy/deployment.yaml``'s 2 s probe time-out. They now run in the
worker's check thread (``service.web.cpu``) and the probes are answered meanwhile.

The real server process (uvicorn, one worker) on 127.0.0.1."""

from __future__ import annotations

import math
import random
import string
import threading
import time
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from tests.ops.conftest import Server

# A probe slower than this while checks run would be starved (the checks take seconds;
# answered on a free event loop a probe takes tens of milliseconds, even on 2 busy cores).
# A faster engine (compiled, or a later speed-up) lowers the bound to half of one check, so
# that a probe waiting for a check still shows.
PROBE_BOUND = 0.5
# Below this a starved probe could not be told from a free one on a busy machine.
SHORTEST_CHECK = 0.2


def _worst_case_body() -> bytes:
    rng = random.Random(1)

    def text() -> str:
        words = (
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
            for _ in range(80)
        )
        return " ".join(words)[:500]

    def item() -> dict[str, object]:
        coding = [{"system": "urn:x", "code": "1", "display": text()} for _ in range(2)]
        return {"text": text(), "coding": coding}

    body = {
        "medications": [item() for _ in range(200)],
        "conditions": [item() for _ in range(200)],
        "labs": [{"text": text(), "value": 1, "unit": "mg/dL"} for _ in range(100)],
    }
    return msgspec.json.encode(body)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("probes"), CRAMP_LOG_LEVEL="warning")
    yield running
    running.stop()


def test_probes_are_answered_while_worst_case_checks_run(server: Server) -> None:
    body = _worst_case_body()
    assert len(body) > 600_000
    headers = {"content-type": "application/json"}
    started = time.monotonic()
    alone = httpx.post(f"{server.base}/v1/check", content=body, headers=headers, timeout=120)
    assert alone.status_code == 200
    one_check = time.monotonic() - started
    assert one_check > SHORTEST_CHECK  # else this test would show nothing
    bound = min(PROBE_BOUND, one_check / 2)
    # Enough checks queued to outlast the probes however fast one check is.
    heavy_count = max(2, math.ceil(3.0 / one_check))

    finished: list[float] = []

    def heavy() -> None:
        response = httpx.post(f"{server.base}/v1/check", content=body, headers=headers, timeout=120)
        assert response.status_code == 200
        finished.append(time.monotonic())

    threads = [threading.Thread(target=heavy) for _ in range(heavy_count)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # the bodies sent, the first check computing
    probes: list[tuple[str, float]] = []
    for _ in range(3):
        for path in ("/healthz", "/readyz"):
            began = time.monotonic()
            response = httpx.get(f"{server.base}{path}", timeout=10)
            assert response.status_code == 200
            probes.append((path, time.monotonic() - began))
    probing_ended = time.monotonic()
    for thread in threads:
        thread.join()
    slow = [(path, round(took, 2)) for path, took in probes if took > bound]
    assert not slow, f"probes starved by the checks: {slow} (one check: {one_check:.1f} s)"
    # The probes ran while the checks did (the last finishes several checks' time later).
    assert len(finished) == heavy_count and max(finished) > probing_ended
