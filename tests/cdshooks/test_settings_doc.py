"""The FHIR settings' defaults are the ones docs/cds-hooks.md documents (operators size
memory limits on them: docs/operations.md, "Memory")."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from service.settings import FhirSettings, Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "cds-hooks.md"
ROW = re.compile(r"^\| `CRAMP_FHIR_(?P<name>[A-Z_]+)` \| (?P<default>[^|]+) \|", re.MULTILINE)


def documented_defaults() -> dict[str, str]:
    settings = DOC.read_text(encoding="utf-8").split("## Settings", 1)[1]
    return {m["name"].lower(): m["default"].strip() for m in ROW.finditer(settings)}


def test_every_fhir_setting_is_documented_with_its_default() -> None:
    documented = documented_defaults()
    defaults = msgspec.structs.asdict(FhirSettings())
    assert set(documented) == set(defaults)
    for name, value in defaults.items():
        written = documented[name]
        if isinstance(value, str):
            assert value == "" and written.startswith("empty"), name
        else:
            assert float(written) == value, (
                f"CRAMP_FHIR_{name.upper()}: docs {written}, code {value}"
            )


def test_the_min_indicator_defaults_are_the_documented_ones() -> None:
    text = DOC.read_text(encoding="utf-8").split("### Which cards each hook shows", 1)[1]
    rows = re.findall(r"^\| `CRAMP_CDS_([A-Z_]+)` \| `(\w+)` \|", text, re.MULTILINE)
    defaults = msgspec.structs.asdict(Settings())
    assert rows and {f"cds_{name.lower()}": value for name, value in rows} == {
        name: value for name, value in defaults.items() if name.endswith("_min_indicator")
    }
