"""FHIR R4 Bundle -> check request, for the batch folder reader.

A small local adapter: the FHIR/CDS Hooks package (``service.fhir``) owns the canonical
conversion; swap ``bundle_to_request`` for it when it lands. Reads Patient (sex, age at the
Bundle's timestamp), MedicationRequest / MedicationStatement (code or referenced
Medication), Condition (code; inactive or refuted ones skipped) and Observation (code and
valueQuantity; the latest per code).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.batch.lines import DECODE_ERRORS, LineChecker
from service.batch.models import BatchItem, BatchResult, LineId
from service.batch.problems import decode_problem, invalid

_INACTIVE_MED = {"entered-in-error", "cancelled", "stopped", "completed", "not-taken"}
_INACTIVE_CONDITION = {"inactive", "resolved", "remission"}
_REFUTED = {"refuted", "entered-in-error"}
_SEX = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


class NotABundleError(ValueError):
    """The document is not a FHIR Bundle."""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _concept(concept: Any) -> dict[str, Any] | None:
    """A CodeableConcept as ``{"text", "coding"}``, or None when it names nothing."""
    concept = _dict(concept)
    coding = [
        {k: c[k] for k in ("system", "code", "display") if isinstance(c.get(k), str)}
        for c in _list(concept.get("coding"))
        if isinstance(c, dict)
    ]
    coding = [c for c in coding if c]
    out: dict[str, Any] = {}
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        out["text"] = concept["text"]
    if coding:
        out["coding"] = coding
    return out or None


def _status(resource: dict[str, Any], key: str) -> str:
    """A code from a plain ``status`` string or a CodeableConcept's first coding."""
    value = resource.get(key)
    if isinstance(value, str):
        return value
    codes = [c.get("code") for c in _list(_dict(value).get("coding")) if isinstance(c, dict)]
    return next((c for c in codes if isinstance(c, str)), "")


def _age(birth_date: Any, at: dt.date) -> int | None:
    if not isinstance(birth_date, str):
        return None
    try:
        parts = [int(p) for p in birth_date[:10].split("-")]
    except ValueError:
        return None
    year, month, day = [*parts, 1, 1][:3]
    age = at.year - year - ((at.month, at.day) < (month, day))
    return age if 0 <= age <= 130 else None


def _as_of(bundle: dict[str, Any]) -> dt.date:
    stamp = bundle.get("timestamp") or _dict(bundle.get("meta")).get("lastUpdated")
    if isinstance(stamp, str):
        try:
            return dt.date.fromisoformat(stamp[:10])
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC).date()


def _medication(resource: dict[str, Any], by_ref: dict[str, dict[str, Any]]) -> Any:
    concept = resource.get("medicationCodeableConcept")
    if concept is None:
        ref = _dict(resource.get("medicationReference")).get("reference")
        contained = {
            f"#{c.get('id')}": c for c in _list(resource.get("contained")) if isinstance(c, dict)
        }
        target = (contained.get(ref) or by_ref.get(ref)) if isinstance(ref, str) else None
        concept = _dict(target).get("code")
    return _concept(concept)


def _lab(resource: dict[str, Any]) -> dict[str, Any] | None:
    quantity = _dict(resource.get("valueQuantity"))
    value = quantity.get("value")
    unit = quantity.get("unit") or quantity.get("code")
    concept = _concept(resource.get("code"))
    if concept is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not isinstance(unit, str) or not unit:
        return None
    return {**concept, "value": value, "unit": unit}


def _resources(bundle: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    resources, by_ref = [], {}
    for entry in _list(bundle.get("entry")):
        resource = _dict(_dict(entry).get("resource"))
        if not resource:
            continue
        resources.append(resource)
        if isinstance(entry.get("fullUrl"), str):
            by_ref[entry["fullUrl"]] = resource
        if isinstance(resource.get("id"), str):
            by_ref[f"{resource.get('resourceType')}/{resource['id']}"] = resource
    return resources, by_ref


def bundle_to_request(bundle: Any) -> BatchItem:
    """The check request a FHIR R4 Bundle describes (raises ``NotABundleError`` or
    ``msgspec.ValidationError`` when it describes none or too much)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise NotABundleError("not a FHIR Bundle (`resourceType` must be `Bundle`)")
    resources, by_ref = _resources(bundle)
    body: dict[str, Any] = {"medications": [], "conditions": [], "labs": []}
    labs: dict[bytes, tuple[str, dict[str, Any]]] = {}
    for resource in resources:
        kind = resource.get("resourceType")
        if kind == "Patient":
            patient = {
                "sex": _SEX.get(resource.get("gender", "")),
                "age": _age(resource.get("birthDate"), _as_of(bundle)),
            }
            body["patient"] = {k: v for k, v in patient.items() if v is not None}
        elif kind in ("MedicationRequest", "MedicationStatement"):
            med = _medication(resource, by_ref)
            if med is not None and _status(resource, "status") not in _INACTIVE_MED:
                body["medications"].append(med)
        elif kind == "Condition":
            cond = _concept(resource.get("code"))
            if (
                cond is not None
                and _status(resource, "clinicalStatus") not in _INACTIVE_CONDITION
                and _status(resource, "verificationStatus") not in _REFUTED
            ):
                body["conditions"].append(cond)
        elif kind == "Observation" and _status(resource, "status") not in _REFUTED:
            lab = _lab(resource)
            when = resource.get("effectiveDateTime") or resource.get("issued") or ""
            key = msgspec.json.encode(lab.get("coding") or lab.get("text")) if lab else b""
            if lab is not None and (key not in labs or str(when) >= labs[key][0]):
                labs[key] = (str(when), lab)
    body["labs"] = [lab for _, lab in labs.values()]
    return msgspec.convert(body, BatchItem)


def bundle_result(checker: LineChecker, data: bytes, name: LineId) -> BatchResult:
    """The result for one FHIR Bundle file; ``name`` (the file name) is its id."""
    try:
        request = bundle_to_request(msgspec.json.decode(data))
    except NotABundleError as exc:
        return checker.problem(
            name, invalid("/resourceType", str(exc), "The file is not a FHIR R4 Bundle")
        )
    except DECODE_ERRORS as exc:
        return checker.problem(name, decode_problem(exc))
    return checker.checked(name, request)
