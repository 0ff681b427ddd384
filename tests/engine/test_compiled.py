"""The engine compiled with mypyc (scripts/compile.py) answers exactly as pure Python.

Two copies of the repository, one left pure and one compiled, check the same generated
patients with the batch CLI; the outputs must be byte-identical. The engine's own tests
then run again against the compiled copy. Skipped where no C compiler or Python headers
exist (the compiled build is optional outside the image).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PATIENTS = 20_000


def _can_compile() -> str | None:
    if shutil.which(os.environ.get("CC", "cc")) is None:
        return "no C compiler"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        return "no Python headers"
    return None


def _copy(destination: Path) -> Path:
    skip = shutil.ignore_patterns("*.so", "_compiled.json", "__pycache__", ".*")
    for part in ("service", "datasets", "tests"):
        shutil.copytree(ROOT / part, destination / part, ignore=skip)
    (destination / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "compile.py", destination / "scripts" / "compile.py")
    shutil.copy2(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def _run(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(root), "CRAMP_DATASETS_DIR": str(root / "datasets")}
    done = subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    reason = _can_compile()
    if reason:
        pytest.skip(f"cannot compile the engine here: {reason}")
    pure = _copy(tmp_path_factory.mktemp("pure"))
    compiled = _copy(tmp_path_factory.mktemp("compiled"))
    _run(compiled, "scripts/compile.py")
    return pure, compiled


def _build_of(root: Path) -> str:
    code = "import sys, service, service.engine; print(service.ENGINE_BUILD, "
    code += "sys.modules['service.engine.check'].__file__)"
    return _run(root, "-c", code).decode()


def test_the_copies_are_what_they_claim(copies: tuple[Path, Path]) -> None:
    pure, compiled = copies
    assert _build_of(pure).startswith("python ") and _build_of(pure).strip().endswith(".py")
    build, check_module = _build_of(compiled).split()
    assert build == "mypyc"
    assert check_module.endswith(sysconfig.get_config_var("EXT_SUFFIX"))


def test_compiled_and_pure_reports_are_byte_identical(copies: tuple[Path, Path]) -> None:
    pure, compiled = copies
    patients = _run(pure, "-m", "service.batch.sample", str(PATIENTS))
    assert patients.count(b"\n") == PATIENTS
    command = ("-m", "service", "batch", "-", "--quiet", "--no-progress")
    expected = _run(pure, *command, stdin=patients)
    assert expected.count(b"\n") == PATIENTS and b'"report"' in expected
    assert _run(compiled, *command, stdin=patients) == expected


def test_the_engine_tests_pass_compiled(copies: tuple[Path, Path]) -> None:
    _, compiled = copies
    _run(compiled, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/engine", "-m", "not slow")


def test_a_stale_build_is_refused(copies: tuple[Path, Path], tmp_path: Path) -> None:
    _, compiled = copies
    stale = tmp_path / "stale"
    shutil.copytree(compiled, stale)
    with (stale / "service" / "engine" / "refs.py").open("a") as source:
        source.write("# changed after the build\n")
    env = {**os.environ, "PYTHONPATH": str(stale)}
    done = subprocess.run(
        [sys.executable, "-c", "import service"],
        cwd=stale,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert b"StaleBuildError" in done.stderr and b"service/engine/refs.py" in done.stderr
