"""``python -m service batch`` in a subprocess: outputs, order, ids, exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from service.batch.cli import batch
from service.batch.sample import sample_ndjson, sample_requests
from service.knowledge import KnowledgeBase
from tests.batch import bundles
from tests.batch.conftest import CLI_TIMEOUT, decode_lines, run_cli

pytestmark = pytest.mark.slow

_RATE = re.compile(r"\(([\d,]+) patients/s\)")


def test_20000_patients_give_20000_lines_with_the_same_ids_in_order(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    requests = sample_requests(kb, 20_000, seed=11)
    source = tmp_path / "patients.ndjson"
    source.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in requests))
    out = tmp_path / "reports.ndjson"
    done = run_cli([str(source), "-o", str(out)])
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    lines = decode_lines(out.read_bytes())
    assert len(lines) == 20_000
    assert [line["id"] for line in lines] == [r.get("id", n) for n, r in enumerate(requests, 1)]
    assert all("report" in line for line in lines)
    assert "20,000 patients" in stderr
    assert _RATE.search(stderr), stderr  # the summary reports a rate (bench/ measures it)


def test_stdin_to_stdout_equals_file_to_file(batch_2k: Path, cli_2k: bytes, tmp_path: Path) -> None:
    done = run_cli(["-", "-q"], stdin=batch_2k.read_bytes())
    assert done.returncode == 1
    assert done.stdout == cli_2k


def test_bad_lines_get_problems_and_exit_status_1(batch_2k: Path, cli_2k: bytes) -> None:
    lines = decode_lines(cli_2k)
    assert len(lines) == 2_003  # 2,000 + 3 lines; the blank line is skipped
    by_id = {line["id"]: line for line in lines[-3:]}
    assert set(by_id) == {"bad-1", 2_003, "p-last"}
    assert by_id["bad-1"]["problem"]["errors"][0]["pointer"] == "/medications/0"
    assert by_id[2_003]["problem"]["title"] == "The request body is not valid JSON"
    assert by_id["p-last"]["report"]["risk"] == "none"


def test_several_worker_processes_give_the_same_output(batch_2k: Path, cli_2k: bytes) -> None:
    done = run_cli([str(batch_2k), "--workers", "2", "--chunk-size", "128", "-q"])
    assert done.returncode == 1, done.stderr
    assert done.stdout == cli_2k


def test_a_json_array_gives_the_results_of_the_same_ndjson(kb: KnowledgeBase) -> None:
    requests = sample_requests(kb, 50, seed=3)
    ndjson = b"".join(msgspec.json.encode(r) + b"\n" for r in requests)
    array = msgspec.json.encode(requests)
    by_lines = run_cli(["-", "-q"], stdin=ndjson)
    by_array = run_cli(["-", "-q"], stdin=array)
    assert by_lines.returncode == by_array.returncode == 0
    assert by_array.stdout == by_lines.stdout


def test_csv_and_markdown_summary(batch_2k: Path, cli_2k: bytes, tmp_path: Path) -> None:
    table, summary = tmp_path / "findings.csv", tmp_path / "summary.md"
    done = run_cli(
        [
            str(batch_2k),
            "-o",
            str(tmp_path / "out.ndjson"),
            "--csv",
            str(table),
            "--summary",
            str(summary),
        ]
    )
    assert done.returncode == 1
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    results = decode_lines(cli_2k)
    findings = sum(max(1, len(r["report"]["findings"])) if "report" in r else 1 for r in results)
    assert len(rows) == findings
    assert {row["id"] for row in rows} == {str(r["id"]) for r in results}
    text = summary.read_text(encoding="utf-8")
    assert "Lines: 2003 (2001 patients checked, 2 errors)" in text
    assert "## Most frequent findings" in text
    stderr = done.stderr.decode()
    assert "2,001 patients" in stderr
    assert "2 errors" in stderr


def test_a_folder_of_fhir_bundles(tmp_path: Path) -> None:
    folder = tmp_path / "bundles"
    folder.mkdir()
    today = dt.date.today().isoformat()
    first = bundles.bundle(
        "p1",
        bundles.medication("furosemide 40 mg daily"),
        bundles.medication("atorvastatin 20 mg", status="stopped"),
        bundles.condition("E11.9"),
        bundles.potassium(3.1, today),
    )
    second = bundles.bundle("p2", bundles.medication("lisinopril 10 mg"))
    (folder / "p1.json").write_bytes(msgspec.json.encode(first))
    (folder / "p2.json").write_bytes(msgspec.json.encode(second))
    (folder / "broken.json").write_bytes(b'{"resourceType": "Patient"}')
    done = run_cli([str(folder), "-q"])
    assert done.returncode == 1, done.stderr
    lines = decode_lines(done.stdout)
    assert [line["id"] for line in lines] == ["broken.json", "p1.json", "p2.json"]
    assert lines[0]["problem"]["errors"][0]["pointer"] == "/resourceType"
    report = lines[1]["report"]
    assert [m["concept"] for m in report["medications"]] == ["furosemide"]
    assert report["risk"] == "moderate"  # furosemide with K 3.1 mmol/L (mild)
    assert report["sources"]["medications"][0]["resource_type"] == "MedicationRequest"
    assert lines[2]["report"]["risk"] == "none"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["/nonexistent/patients.ndjson"], None, "No such file"),
        (["-"], b"id,medication\n1,lasix\n", "not NDJSON"),
        (["-"], b"[1, 2", "not a valid JSON array"),
        (["-", "-o", "/nonexistent/dir/out.ndjson"], b"{}\n", "cannot write"),
        (["-", "--workers", "0"], b"{}\n", "Invalid value"),
    ],
)
def test_usage_and_input_errors_exit_with_status_2(
    args: list[str], stdin: bytes | None, message: str
) -> None:
    done = CliRunner().invoke(batch, args, input=stdin)
    assert done.exit_code == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_an_output_never_overwrites_the_input(tmp_path: Path) -> None:
    source = tmp_path / "patients.ndjson"
    source.write_bytes(b'{"medications": [{"text": "lasix"}]}\n')
    for flag in ("-o", "--csv"):
        done = CliRunner().invoke(batch, [str(source), flag, str(source)])
        assert done.exit_code == 2
        assert "would overwrite the input" in done.stderr
    assert source.read_bytes() == b'{"medications": [{"text": "lasix"}]}\n'


def test_progress_bar_only_when_asked_or_on_a_terminal(kb: KnowledgeBase, tmp_path: Path) -> None:
    source = tmp_path / "patients.ndjson"
    source.write_bytes(sample_ndjson(kb, 200, seed=5))
    quiet = CliRunner().invoke(batch, [str(source), "-o", os.devnull])
    assert quiet.exit_code == 0
    assert "checking" not in quiet.stderr
    assert "200 patients" in quiet.stderr
    shown = CliRunner().invoke(batch, [str(source), "-o", os.devnull, "--progress"])
    assert shown.exit_code == 0
    assert "checking" in shown.stderr
    assert "100%" in shown.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-o", "{out}", "--summary", "{src}"], "the --summary output would overwrite the input"),
        (["-o", "{link}"], "the -o output would overwrite the input"),
        (["--csv", "{link}", "-o", "{out}"], "the --csv output would overwrite the input"),
        (["-o", "{out}", "--csv", "{out}"], "the --csv output would overwrite the -o output"),
        (["-o", "{out}", "--summary", "{out}"], "would overwrite the -o output"),
        (["--csv", "{new}", "--summary", "{new}"], "would overwrite the --csv output"),
    ],
)
def test_no_two_of_in_out_csv_and_summary_may_be_one_file(
    tmp_path: Path, options: list[str], message: str
) -> None:
    # --summary onto the input, a hard link of the input, and --csv equal to -o all
    # destroyed data with exit 1 (review 20 A4).
    source = tmp_path / "patients.ndjson"
    content = b'{"medications": [{"text": "lasix"}]}\n'
    source.write_bytes(content)
    out = tmp_path / "out.ndjson"
    out.write_bytes(b"earlier reports\n")
    os.link(source, tmp_path / "link.ndjson")
    paths = {"src": source, "out": out, "link": tmp_path / "link.ndjson", "new": tmp_path / "n"}
    args = [str(source), *(o.format(**paths) for o in options)]
    done = run_cli(args)
    assert done.returncode == 2, done.stderr
    assert message in " ".join(done.stderr.decode().split())  # rich wraps long lines
    assert source.read_bytes() == content
    assert out.read_bytes() == b"earlier reports\n"  # refused before anything was written
    assert not (tmp_path / "n").exists()


def test_dev_null_may_take_several_outputs(tmp_path: Path) -> None:
    source = tmp_path / "patients.ndjson"
    source.write_bytes(b'{"medications": [{"text": "lasix"}]}\n')
    done = CliRunner().invoke(
        batch, [str(source), "-o", os.devnull, "--csv", os.devnull, "--summary", os.devnull]
    )
    assert done.exit_code == 0, done.stderr


def test_a_huge_line_gets_a_413_problem_without_being_held_in_memory(tmp_path: Path) -> None:
    # A 1 GiB line was read whole (3.2 GB peak RSS, B4); a 256 MiB one here.
    source = tmp_path / "huge.ndjson"
    with source.open("wb") as f:
        f.write(b'{"id": "before", "medications": [{"text": "Lasix"}]}\n')
        f.write(b'{"id": "huge", "medications": [{"text": "Lasix"}], "pad": "')
        for _ in range(256):
            f.write(b"p" * (1 << 20))
        f.write(b'"}\r\n\n{"id": "after", "medications": [{"text": "furosemide"}]}')
    out = tmp_path / "out.ndjson"
    # VmHWM, not ru_maxrss: that one keeps the forked pytest's size across exec.
    script = (
        "import runpy, sys; sys.argv = ['service', 'batch', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('service', run_name='__main__')\n"
        "finally:\n    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "    print('peak', status.split()[0], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(source), "-o", str(out), "-q"],
        capture_output=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # one line has a problem
    peak_kib = int(done.stderr.decode().rsplit("peak", 1)[1])
    assert peak_kib < 200 * 1024, peak_kib
    lines = decode_lines(out.read_bytes())
    assert [line["id"] for line in lines] == ["before", 2, "after"]
    assert lines[1]["problem"]["status"] == 413
    assert "report" in lines[0]
    assert "report" in lines[2]


def test_a_first_line_over_the_limit_is_a_problem_and_an_array_on_one_line_is_read(
    tmp_path: Path,
) -> None:
    source = tmp_path / "first.ndjson"
    pad = b"p" * (2 << 20)
    source.write_bytes(b'{"pad": "' + pad + b'"}\n{"id": "next"}\n')
    done = CliRunner().invoke(batch, [str(source)])
    assert done.exit_code == 1, done.stderr
    lines = decode_lines(done.stdout_bytes)
    assert [(line["id"], "problem" in line) for line in lines] == [(1, True), ("next", False)]
    # A JSON array longer than the limit on one line is a whole input, not a long line;
    # its over-long element gets the problem.
    array = tmp_path / "array.json"
    array.write_bytes(b'[{"id": "a"}, {"id": "b", "pad": "' + pad + b'"}, {"id": "c"}]')
    done = CliRunner().invoke(batch, [str(array)])
    assert done.exit_code == 1, done.stderr
    lines = decode_lines(done.stdout_bytes)
    assert [(line["id"], line.get("problem", {}).get("status")) for line in lines] == [
        ("a", None),
        (2, 413),
        ("c", None),
    ]


@pytest.mark.parametrize("content", [b"", b"\n  \n\r\n"])
def test_an_input_without_lines_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    # It exited 0 ("0 patients"): a failed export looked like a good run (C2).
    source = tmp_path / "empty.ndjson"
    source.write_bytes(content)
    done = CliRunner().invoke(batch, [str(source), "-o", os.devnull])
    assert done.exit_code == 2
    assert "no lines to check" in " ".join(done.stderr.split())
    folder = tmp_path / "nothing"
    folder.mkdir()
    assert CliRunner().invoke(batch, [str(folder), "-o", os.devnull]).exit_code == 2


def test_a_fhir_folder_does_not_read_its_own_output(tmp_path: Path) -> None:
    folder = tmp_path / "bundles"
    folder.mkdir()
    (folder / "p1.json").write_bytes(
        msgspec.json.encode(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}}],
            }
        )
    )
    done = run_cli([str(folder), "-o", str(folder / "out.json"), "-q"])
    assert done.returncode == 0, done.stderr
    lines = decode_lines((folder / "out.json").read_bytes())
    assert [line["id"] for line in lines] == ["p1.json"]


def test_the_cli_honours_a_status_field() -> None:
    line = {
        "id": "held",
        "medications": [{"text": "hydrochlorothiazide 25 mg", "status": "on-hold"}],
        "labs": [{"text": "potassium", "value": 3.0, "unit": "mmol/L"}],
    }
    done = run_cli(["-", "-q"], stdin=msgspec.json.encode(line) + b"\n")
    assert done.returncode == 0, done.stderr
    (out,) = decode_lines(done.stdout)
    report = out["report"]
    assert report["risk"] == "low"
    assert report["medications"][0]["reason"] == "status on-hold: held, not taken now"
    assert all({"list": "medications", "index": 0} not in f["inputs"] for f in report["findings"])
