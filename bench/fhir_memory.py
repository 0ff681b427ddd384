"""Peak memory of a real server process reading hostile and real FHIR data.

For each scenario a fresh `python -m service serve` starts on 127.0.0.1 (from this
checkout, or from another tree with --root, to compare versions), is warmed up with
ordinary calls, and then gets the scenario's requests; a FHIR server stub on 127.0.0.1
answers its fetches. The script prints the process's peak resident memory (VmHWM, from
/proc) after warm-up and after the scenario, and the status codes it answered.

    uv run python bench/fhir_memory.py                    # every scenario
    uv run python bench/fhir_memory.py objects-fetch gzip-fetch-x3
    uv run python bench/fhir_memory.py --root /path/to/other/checkout

Run it from the repository root (it uses the test fixtures and stubs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cdshooks import bombs  # noqa: E402
from tests.cdshooks.fhir_server import FhirServer, load_resources, serve  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "fhir"
SYNTHEA = FIXTURES / "synthea" / "Fletcher_Hyatt_fe0562b5-f517-4951-8366-32fdab088930.json.gz"
PATIENT_VIEW = "/cds-services/cramp-risk-patient-view"
PATIENT_ID = "cdsp-1001"


NAMES = (
    "ordinary-fetch",
    "synthea-rest",
    "synthea-cds",
    "objects-fetch",
    "objects-fetch-x3",
    "gzip-fetch-x3",
    "brotli-fetch",
    "entries-rest",
    "components-prefetch",
    "components-prefetch-x4",
    "objects-body",
    "held-x4",
    "worst-x4",
    "worst-x8",
)


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


class Server:
    def __init__(self, root: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "CRAMP_HOST": "127.0.0.1",
            "CRAMP_PORT": str(port),
            "CRAMP_LOG_LEVEL": "error",
            "CRAMP_FHIR_ALLOWED_HOSTS": "127.0.0.1",
            "CRAMP_FHIR_LAB_MAX_AGE_DAYS": "0",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def cds_call(stub: FhirServer, prefetch: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / "cds_patient_view.json").read_text())
    if not prefetch:
        del body["prefetch"]
    body["fhirServer"] = stub.base
    body["fhirAuthorization"] = {"access_token": stub.token, "token_type": "Bearer"}
    return body


def post(base: str, path: str, **kwargs: Any) -> int:
    try:
        return httpx.post(f"{base}{path}", timeout=60, **kwargs).status_code
    except httpx.TransportError:
        return -1  # the connection failed


def concurrently(count: int, call: Callable[[], int]) -> list[int]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def synthea_prefetch() -> dict[str, Any]:
    record = json.loads(gzip.decompress(SYNTHEA.read_bytes()))
    resources = [e["resource"] for e in record["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")

    def searchset(*types: str) -> dict[str, Any]:
        found = [{"resource": r} for r in resources if r["resourceType"] in types]
        return {"resourceType": "Bundle", "type": "searchset", "entry": found}

    return {
        "hook": "patient-view",
        "hookInstance": "bench-synthea",
        "context": {"patientId": patient["id"]},
        "prefetch": {
            "patient": {k: v for k, v in patient.items() if not k.startswith("deceased")},
            "medicationRequests": searchset("MedicationRequest", "Medication"),
            "medicationStatements": None,
            "conditions": searchset("Condition"),
            "observations": searchset("Observation"),
        },
    }


def scenarios(server: Server, stub: FhirServer) -> dict[str, Callable[[], list[int]]]:
    base = server.base
    synthea = gzip.decompress(SYNTHEA.read_bytes())
    json_type = {"Content-Type": "application/json"}

    def fetch(answer: bombs.Answer, count: int) -> Callable[[], list[int]]:
        def run() -> list[int]:
            stub.answer = answer
            return concurrently(count, lambda: post(base, PATIENT_VIEW, json=cds_call(stub)))

        return run

    def at_once(count: int, body: bytes) -> Callable[[], list[int]]:
        return lambda: concurrently(
            count, lambda: post(base, PATIENT_VIEW, content=body, headers=json_type)
        )

    def slow(count: int, body: bytes, answer: bombs.Answer | None) -> Callable[[], list[int]]:
        """``count`` calls at once while a slow FHIR server answers their other keys (with
        ``answer``): each holds what it read while it waits."""

        def run() -> list[int]:
            stub.delay = 0.5
            stub.answer = answer
            try:
                return at_once(count, body)()
            finally:
                stub.delay = 0.0

        return run

    # As many decodable objects as the budget allows, at 720 KB or padded to 8 MiB.
    small = bombs.components_body(PATIENT_ID, 240_000, stub.base)
    large = bombs.components_body(PATIENT_ID, 240_000, stub.base, size=8 * bombs.MIB - 64)
    return {
        "ordinary-fetch": lambda: concurrently(
            3, lambda: post(base, PATIENT_VIEW, json=cds_call(stub))
        ),
        "synthea-rest": lambda: [post(base, "/v1/check/fhir", content=synthea, headers=json_type)],
        "synthea-cds": lambda: [post(base, PATIENT_VIEW, json=synthea_prefetch())],
        "objects-fetch": fetch(bombs.answer_objects(stub.base), 1),
        "objects-fetch-x3": fetch(bombs.answer_objects(stub.base), 3),
        "gzip-fetch-x3": fetch(bombs.answer_gzip(), 3),
        "brotli-fetch": fetch(bombs.answer_brotli(), 1),
        "entries-rest": lambda: [
            post(base, "/v1/check/fhir", content=bombs.entries_body(240_000), headers=json_type)
        ],
        "components-prefetch": at_once(1, bombs.components_body(PATIENT_ID, 240_000)),
        "components-prefetch-x4": at_once(4, bombs.components_body(PATIENT_ID, 240_000)),
        "held-x4": slow(4, small, None),
        # Every limit reached at once: 8 MiB bodies, decompression bombs for the rest.
        "worst-x4": slow(4, large, bombs.answer_gzip()),
        "worst-x8": slow(8, large, bombs.answer_gzip()),
        "objects-body": at_once(1, bombs.components_body(PATIENT_ID, 2_700_000)),
    }


def warm_up(server: Server, stub: FhirServer) -> None:
    body = json.loads((FIXTURES / "cds_patient_view.json").read_text())
    for _ in range(3):
        post(server.base, PATIENT_VIEW, json=body)
        post(server.base, PATIENT_VIEW, json=cds_call(stub))
        post(server.base, "/v1/check", json={"medications": [{"text": "Lasix 40 mg"}]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--port", type=int, default=18791)
    args = parser.parse_args()
    with serve(FhirServer(load_resources())) as stub:
        names = args.names or list(NAMES)
        print(f"{'scenario':24} {'warm MiB':>9} {'peak MiB':>9} {'growth':>7}  statuses")
        for name in names:
            server = Server(args.root, args.port)
            try:
                warm_up(server, stub)
                stub.answer = None
                before = vm_hwm_mib(server.process.pid)
                statuses = scenarios(server, stub)[name]()
                after = vm_hwm_mib(server.process.pid)
            finally:
                stub.answer = None
                server.stop()
            print(f"{name:24} {before:9.1f} {after:9.1f} {after - before:7.1f}  {statuses}")


if __name__ == "__main__":
    main()
