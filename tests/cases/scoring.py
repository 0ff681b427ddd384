"""Score clinical cases through ``POST /v1/check``.

Format (``examples.json``, ``clinical_cases.json``): each case has ``meds``, ``conds`` and
optional ``labs``; each item has the request item (``in``), the expectation (``exp``: ``F``
flagged, ``C`` recognized and not flagged, ``U`` unrecognized, ``null`` not scored) and a
tier (``core`` or ``ext``); ``combo`` lists groups of inputs that one finding must join.
The rules are those of the project's reference scorer (``scripts/reference-check`` runs it):
per-input status from the response lists plus the findings' ``inputs`` references.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LISTS = {"meds": "medications", "conds": "conditions", "labs": "labs"}
THRESHOLDS = {"core": 0.98, "ext": 0.90, "clear": 0.97, "recog": 0.95, "unrec": 1.0, "combo": 0.99}

Post = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class Score:
    tally: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in THRESHOLDS})
    misses: list[str] = field(default_factory=list)

    def ratio(self, key: str) -> float:
        hit, total = self.tally[key]
        return hit / total if total else 1.0

    def failing(self) -> list[str]:
        return [k for k, limit in THRESHOLDS.items() if self.ratio(k) < limit]

    def summary(self) -> str:
        return " ".join(f"{k}={a}/{b}" for k, (a, b) in self.tally.items())


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return cases


def score(cases: list[dict[str, Any]], post: Post) -> Score:
    result = Score()
    tally, misses = result.tally, result.misses
    for case in cases:
        body = {LISTS[k]: [i["in"] for i in case.get(k, [])] for k in LISTS}
        status, out = post(body)
        if status != 200:
            misses.append(f"{case['id']}: HTTP {status}")
            continue
        referenced = {(r["list"], r["index"]) for f in out["findings"] for r in f["inputs"]}
        for key, lname in LISTS.items():
            statuses = {s["index"]: s for s in out[lname]}
            for idx, item in enumerate(case.get(key, [])):
                exp, got = item["exp"], statuses[idx]["status"]
                flagged = got == "flagged" and (lname, idx) in referenced
                label = f"{case['id']}:{lname}[{idx}] {json.dumps(item['in'])[:90]}"
                if exp == "F":
                    tally[item["tier"]][1] += 1
                    tally[item["tier"]][0] += flagged
                    if not flagged:
                        misses.append(f"{label}: expected flagged, got {got}")
                elif exp == "C":
                    tally["clear"][1] += 1
                    tally["recog"][1] += 1
                    tally["clear"][0] += not flagged and got != "flagged"
                    tally["recog"][0] += got == "recognized"
                    if got != "recognized":
                        misses.append(
                            f"{label}: expected recognized, got {got} "
                            f"{statuses[idx].get('concept')}"
                        )
                elif exp == "U":
                    tally["unrec"][1] += 1
                    ok = got == "unrecognized" and (lname, idx) not in referenced
                    tally["unrec"][0] += ok
                    if not ok:
                        misses.append(f"{label}: expected unrecognized, got {got}")
        for group in case.get("combo", []):
            tally["combo"][1] += 1
            want = {(lst, i) for lst, i in group}
            if any(want <= {(r["list"], r["index"]) for r in f["inputs"]} for f in out["findings"]):
                tally["combo"][0] += 1
            else:
                misses.append(f"{case['id']}: no finding joins {sorted(want)}")
    return result
