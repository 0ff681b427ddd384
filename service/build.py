"""Whether the engine runs compiled (mypyc, ``scripts/compile.py``) or as pure Python.

Python imports an extension module in preference to the ``.py`` beside it, so a build
left behind after the source changed would silently run old code. The build records the
SHA-256 of every source it compiled in ``service/_compiled.json``; importing ``service``
checks them first and refuses a stale build.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from service.errors import CrampError

_ROOT = Path(__file__).resolve().parent.parent
STAMP = _ROOT / "service" / "_compiled.json"


class StaleBuildError(CrampError):
    """Compiled engine modules whose source has changed since they were built."""


def recorded_sources() -> dict[str, str]:
    """Source path (from the repository root) to SHA-256, for a compiled engine."""
    if not STAMP.exists():
        return {}
    sources: dict[str, str] = json.loads(STAMP.read_text(encoding="utf-8"))["sources"]
    return sources


def verify() -> str:
    """``"mypyc"`` for a current compiled build, ``"python"`` without one; raises
    ``StaleBuildError`` when a compiled module's source has changed."""
    sources = recorded_sources()
    stale = [
        path
        for path, sha256 in sources.items()
        if hashlib.sha256((_ROOT / path).read_bytes()).hexdigest() != sha256
    ]
    if stale:
        raise StaleBuildError(
            f"the compiled engine is older than its source ({', '.join(stale)}): run "
            "`scripts/run python scripts/compile.py` again, or `--clean` for pure Python"
        )
    return "mypyc" if sources else "python"


ENGINE_BUILD = verify()
