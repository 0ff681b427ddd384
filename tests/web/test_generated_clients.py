"""The committed OpenAPI document works with the common code generators.

`openapi-python-client` generates a client and `datamodel-code-generator` generates pydantic
models from `openapi/openapi.json`, each in a subprocess into a temporary folder; both are
then used, in a subprocess of their own, against the real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from service.web.openapi import REQUEST_EXAMPLE

pytestmark = pytest.mark.slow

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
# What openapi-python-client says when it drops a schema or an operation.
DROPPED = ("Unable to parse", "Unable to process", "Failure to process", "Cannot parse")


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def _generate(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], ...]:
    config = tmp_path / "client-config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    commands = [
        [
            _tool("openapi-python-client"),
            "generate",
            "--path",
            str(DOCUMENT),
            "--output-path",
            str(tmp_path / "cramp_client"),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        [
            _tool("datamodel-codegen"),
            "--input",
            str(DOCUMENT),
            "--input-file-type",
            "openapi",
            "--output",
            str(tmp_path / "cramp_models.py"),
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--target-python-version",
            "3.11",
            "--formatters",
            "builtin",
        ],
    ]
    # Both at once: each takes a few seconds.
    running = [
        subprocess.Popen(
            c, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for c in commands
    ]
    results = []
    for command, process in zip(commands, running, strict=True):
        output, _ = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(command, process.returncode, output, ""))
    return tuple(results)


def _run(tmp_path: Path, script: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


CLIENT_SCRIPT = """
    import json, sys
    from cramp_client import Client
    from cramp_client.api.check import check
    from cramp_client.models import CheckRequest, MedicationInputWithText, Report

    base, example = sys.argv[1], json.loads(sys.argv[2])
    body = CheckRequest.from_dict(example)
    # Typed models as a client writes them by hand, too.
    body.medications.append(MedicationInputWithText(text="omeprazole 20 mg daily"))
    with Client(base_url=base) as client:
        response = check.sync_detailed(client=client, body=body)
    report = response.parsed
    assert isinstance(report, Report), (response.status_code, response.content[:300])
    print(json.dumps({
        "status": int(response.status_code),
        "risk": str(report.risk),
        "concepts": [s.concept for s in report.medications],
        "statuses": [str(s.status) for s in report.medications],
        "finding_kinds": sorted({str(f.kind) for f in report.findings}),
        "note": report.note,
    }))
"""

MODELS_SCRIPT = """
    import json, sys
    import httpx, pydantic
    from cramp_models import CheckRequest, MedicationInput, Report

    base, example = sys.argv[1], json.loads(sys.argv[2])
    request = CheckRequest.model_validate(example)
    body = request.model_dump(mode="json", exclude_none=True)
    response = httpx.post(f"{base}/v1/check", json=body, timeout=30)
    report = Report.model_validate_json(response.content)
    # The models carry the rule "text or a non-empty coding".
    rejected = []
    for item in ({}, {"coding": []}, {"text": None}, {"route": "oral"}):
        try:
            MedicationInput.model_validate(item)
        except pydantic.ValidationError:
            rejected.append(item)
    print(json.dumps({
        "status": response.status_code,
        "risk": str(getattr(report.risk, "value", report.risk)),
        "findings": len(report.findings),
        "rejected": len(rejected),
    }))
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    client, models = _generate(folder)
    assert client.returncode == 0, client.stdout[-4000:]
    assert not [line for line in client.stdout.splitlines() if line.startswith(DROPPED)], (
        client.stdout[-4000:]
    )
    assert models.returncode == 0, models.stdout[-4000:]
    return folder


def test_openapi_python_client_generates_post_v1_check(generated: Path) -> None:
    operations = generated / "cramp_client" / "api" / "check"
    assert (operations / "check.py").is_file()
    models = {p.stem for p in (generated / "cramp_client" / "models").glob("*.py")}
    for name in ("medication_input", "condition_input", "lab_input"):
        assert {f"{name}_with_text", f"{name}_with_coding"} <= models
    assert {"check_request", "report", "finding", "input_status", "problem"} <= models


def test_the_generated_client_calls_post_v1_check(generated: Path, live_server: str) -> None:
    answer = _run(generated, CLIENT_SCRIPT, live_server, json.dumps(REQUEST_EXAMPLE))
    assert answer["status"] == 200
    assert answer["risk"] in ("moderate", "high")
    assert answer["concepts"] == ["furosemide", "hydrochlorothiazide", "omeprazole"]
    assert answer["statuses"] == ["flagged", "flagged", "flagged"]
    assert "combination" in answer["finding_kinds"]  # type: ignore[operator]
    assert answer["note"]


def test_the_generated_models_read_the_report(generated: Path, live_server: str) -> None:
    answer = _run(generated, MODELS_SCRIPT, live_server, json.dumps(REQUEST_EXAMPLE))
    assert answer["status"] == 200
    assert answer["risk"] in ("moderate", "high")
    assert answer["findings"]
    assert answer["rejected"] == 4
