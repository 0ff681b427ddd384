"""Compile the engine ahead of time with mypyc (optional; always done in the image).

    scripts/run python scripts/compile.py            build the extension modules in place
    scripts/run python scripts/compile.py --clean    remove them (back to pure Python)
    scripts/run python scripts/compile.py --status   say whether they are built and current
    scripts/run python scripts/compile.py --root DIR build into DIR (a copy of the repository)

The engine's modules (``MODULES``) are compiled unchanged: the same source is the pure
Python fallback, and the test suite checks that both give byte-identical reports on a
large generated set (tests/engine/test_compiled.py). Python imports an extension module
in preference to the ``.py`` beside it, so a stale build would run old code:
``service/_compiled.json`` records the SHA-256 of every compiled source and the service
refuses to start when one differs (``service.engine.compiled``). msgspec Structs cannot
be compiled; they live in modules left out of the list (models, render, the dataset
schema). The engine's own objects (matches, prepared, the knowledge base) are plain
classes, compiled as native classes.

Needs a C compiler and the Python headers (``gcc``, ``python3-dev`` on Debian), plus
``mypy`` and ``setuptools`` (the ``compile`` dependency group). Takes about a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path

from mypyc.build import mypycify
from setuptools import setup

ROOT = Path(__file__).resolve().parent.parent
# Relative to the repository root. Every module here is free of msgspec Structs.
MODULES = (
    "service/engine/advice.py",
    "service/engine/check.py",
    "service/engine/combinations.py",
    "service/engine/errors.py",
    "service/engine/findings.py",
    "service/engine/matches.py",
    "service/engine/note.py",
    "service/engine/prepared.py",
    "service/engine/qualifiers.py",
    "service/engine/refs.py",
    "service/engine/statuses.py",
    "service/engine/strings.py",
    "service/engine/_systems.py",
    "service/engine/matching/conditions.py",
    "service/engine/matching/drugs.py",
    "service/engine/matching/fuzzy.py",
    "service/engine/matching/labs.py",
    "service/engine/matching/memo.py",
    "service/knowledge/base.py",
    "service/knowledge/text.py",
    "service/knowledge/severity.py",
)
# The shared library of the group lands in the package: service/_native__mypyc*.so.
GROUP = "service._native"
STAMP = "service/_compiled.json"
SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def built_files(root: Path) -> list[Path]:
    """Every extension module a build leaves in ``root/service``."""
    return sorted(p for p in (root / "service").rglob(f"*{SUFFIX}"))


def clean(root: Path) -> int:
    removed = built_files(root)
    for path in removed:
        path.unlink()
    (root / STAMP).unlink(missing_ok=True)
    print(f"removed {len(removed)} extension modules from {root / 'service'}")
    return 0


def status(root: Path) -> int:
    stamp = root / STAMP
    if not stamp.exists():
        print("pure Python: the engine is not compiled")
        return 0
    recorded: dict[str, str] = json.loads(stamp.read_text())["sources"]
    stale = [m for m, h in recorded.items() if digest(root / m) != h]
    if stale:
        print(f"STALE: {len(stale)} compiled modules differ from their source: {stale}")
        return 1
    print(f"compiled with mypyc: {len(recorded)} modules, current")
    return 0


def build(root: Path) -> int:
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        print(f"cannot compile: no {headers} (install the Python headers)", file=sys.stderr)
        return 1
    if shutil.which(os.environ.get("CC", "cc")) is None:
        print("cannot compile: no C compiler (install gcc)", file=sys.stderr)
        return 1
    clean(root)
    previous = Path.cwd()
    os.chdir(root)
    try:
        with tempfile.TemporaryDirectory(prefix="cramp-mypyc-") as scratch:
            extensions = mypycify(
                list(MODULES), opt_level="3", group_name=GROUP, target_dir=scratch
            )
            # setuptools reads the project's pyproject.toml and warns about its metadata,
            # which hatchling (the project's build backend) reads, not setuptools.
            warnings.simplefilter("ignore")
            setup(
                name="cramp-checker-engine",
                packages=[],
                py_modules=[],
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--inplace",
                    "--build-temp",
                    scratch,
                    "--build-lib",
                    scratch,
                ],
            )
    finally:
        os.chdir(previous)
    sources = {m: digest(root / m) for m in MODULES}
    (root / STAMP).write_text(json.dumps({"compiler": "mypyc", "sources": sources}, indent=1))
    print(f"compiled {len(MODULES)} modules into {len(built_files(root))} extension modules")
    return status(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--clean", action="store_true", help="remove the extension modules")
    action.add_argument("--status", action="store_true", help="built and current?")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root to build in")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    if args.clean:
        return clean(root)
    if args.status:
        return status(root)
    return build(root)


if __name__ == "__main__":
    sys.exit(main())
