"""Synthea R4 records with and without display text: how many flagged inputs survive.

Reads published Synthea FHIR R4 bundles (one patient each), converts them as
``POST /v1/check/fhir`` does, checks each twice, once as published and once with every
``display`` and ``text`` removed from medication and condition codes, and prints how many
of the medication and condition inputs flagged with text are still flagged with codes
alone (and which codes were lost most often).

    uv run python bench/synthea_codes_only.py DIR_OR_FILES... [--json]

The bundles of smart-on-fhir/generated-sample-data (``R4/SYNTHEA/*.json``) are what the
figures in the report were measured on; any Synthea R4 bundles work.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from service.engine import Knowledge, load
from service.fhir.pipeline import check_record, read_bundle
from service.fhir.read import unbounded
from service.fhir.references import choose_patient
from service.settings import FhirSettings

CODED = {
    "MedicationRequest": ("medicationCodeableConcept",),
    "MedicationStatement": ("medicationCodeableConcept",),
    "Medication": ("code",),
    "Condition": ("code",),
}
TODAY = date(2021, 6, 1)  # the records' own "now": their active orders stay active


def strip_text(resource: dict[str, Any]) -> None:
    """Remove ``text`` and every coding's ``display`` from a resource's coded concept."""
    for field in CODED.get(str(resource.get("resourceType")), ()):
        concept = resource.get(field)
        if isinstance(concept, dict):
            concept.pop("text", None)
            for coding in concept.get("coding") or ():
                if isinstance(coding, dict):
                    coding.pop("display", None)


def codes_only(bundle: dict[str, Any]) -> dict[str, Any]:
    trimmed = copy.deepcopy(bundle)
    for entry in trimmed.get("entry") or ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            strip_text(resource)
    return trimmed


# Every lab, whatever its date (sample records are years old).
READING = FhirSettings(lab_max_age_days=0)


def flagged_inputs(
    bundle: dict[str, Any], knowledge: Knowledge
) -> tuple[set[tuple[str, int]], list[Any], list[Any]]:
    items = read_bundle(json.dumps(bundle).encode(), unbounded()).entries
    checked = check_record(items, knowledge, READING, patient=choose_patient(items), today=TODAY)
    conversion, report = checked.conversion, checked.report
    flagged = {("medications", s.index) for s in report.medications if s.status == "flagged"}
    flagged |= {("conditions", s.index) for s in report.conditions if s.status == "flagged"}
    return flagged, list(conversion.request.medications), list(conversion.request.conditions)


def _codes(item: Any) -> str:
    return ",".join(f"{c.system.rsplit('/', 1)[-1]}:{c.code}" for c in item.coding or ())


def measure(paths: Iterable[Path], knowledge: Knowledge) -> dict[str, Any]:
    with_text = kept = bundles = 0
    lost: Counter[str] = Counter()
    for path in paths:
        bundle = json.loads(path.read_bytes())
        bundles += 1
        flagged, meds, conds = flagged_inputs(bundle, knowledge)
        flagged_codes, _, _ = flagged_inputs(codes_only(bundle), knowledge)
        with_text += len(flagged)
        kept += len(flagged & flagged_codes)
        for lst, index in flagged - flagged_codes:
            item = (meds if lst == "medications" else conds)[index]
            display = next((c.display for c in item.coding or () if c.display), item.text)
            lost[f"{lst[:-1]} {_codes(item)} {display}"] += 1
    share = kept / with_text if with_text else 1.0
    return {
        "bundles": bundles,
        "flagged_with_text": with_text,
        "still_flagged_codes_only": kept,
        "share": round(share, 4),
        "most_lost": lost.most_common(25),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = sorted(f for p in args.paths for f in (sorted(p.glob("*.json")) if p.is_dir() else [p]))
    result = measure(files, load())
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{result['bundles']} bundles: {result['still_flagged_codes_only']} of "
        f"{result['flagged_with_text']} inputs flagged with text are still flagged with "
        f"codes only ({result['share']:.1%})"
    )
    for what, count in result["most_lost"]:
        print(f"  lost {count:4d}x  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
