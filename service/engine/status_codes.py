"""The structured status fields of the plain-JSON inputs, as FHIR R4 codes.

A medication's ``status``, a condition's ``clinical_status`` and ``verification_status``
and a lab's ``status`` take the codes of these FHIR R4 value sets (any letter case), and
mean what the FHIR path (``service/fhir/convert.py``) reads them as:

- medication-statement-status (hl7.org/fhir/R4/valueset-medication-statement-status.html)
  and medicationrequest-status (hl7.org/fhir/R4/valueset-medicationrequest-status.html);
- condition-clinical (hl7.org/fhir/R4/valueset-condition-clinical.html);
- condition-ver-status (hl7.org/fhir/R4/valueset-condition-ver-status.html);
- observation-status (hl7.org/fhir/R4/valueset-observation-status.html).

An input whose status says it is not current is recognized, never flagged, and joins no
finding: the engine excludes it where it excludes a text that says so ("furosemide
(stopped)"), with the reason template named here (``datasets/texts.toml``). Each map's
value is that template; a code that maps to None is read as if no status were sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

import msgspec

# Reason templates (datasets/texts.toml, [texts.templates]); each takes {status}.
NOT_TAKEN = "status_not_taken"
HELD = "status_held"
IN_ERROR = "status_in_error"
NOT_CURRENT = "status_not_current"
REFUTED = "status_refuted"
UNCONFIRMED = "status_unconfirmed"
NOT_FINAL = "status_not_final"
TEMPLATES: Final = (NOT_TAKEN, HELD, IN_ERROR, NOT_CURRENT, REFUTED, UNCONFIRMED, NOT_FINAL)

# Both medication value sets. Current: active; intended (a statement of a drug the patient
# will take); draft (an order not yet signed: "needs to be run through decision support",
# which is what the check is); unknown (the source does not know: as no status).
# Not current: stopped, completed, cancelled (withdrawn before any dose), not-taken,
# on-hold (held: not taken now, as the FHIR path reads an on-hold MedicationStatement),
# entered-in-error.
MEDICATION_STATUSES: Final[Mapping[str, str | None]] = {
    "active": None,
    "intended": None,
    "draft": None,
    "unknown": None,
    "stopped": NOT_TAKEN,
    "completed": NOT_TAKEN,
    "cancelled": NOT_TAKEN,
    "not-taken": NOT_TAKEN,
    "on-hold": HELD,
    "entered-in-error": IN_ERROR,
}
# condition-clinical: active, recurrence and relapse are current
# (``CONDITION_CLINICAL_STATUSES`` of the FHIR path); inactive, remission, resolved are not.
CONDITION_CLINICAL_STATUSES: Final[Mapping[str, str | None]] = {
    "active": None,
    "recurrence": None,
    "relapse": None,
    "inactive": NOT_CURRENT,
    "remission": NOT_CURRENT,
    "resolved": NOT_CURRENT,
}
# condition-ver-status: confirmed as today; unconfirmed and its children provisional and
# differential are not established (read as a text "possible ..." is: not flagged);
# refuted and entered-in-error are absent.
CONDITION_VERIFICATION_STATUSES: Final[Mapping[str, str | None]] = {
    "confirmed": None,
    "unconfirmed": UNCONFIRMED,
    "provisional": UNCONFIRMED,
    "differential": UNCONFIRMED,
    "refuted": REFUTED,
    "entered-in-error": IN_ERROR,
}
# observation-status: final, amended and corrected are used (``OBSERVATION_STATUSES`` of
# the FHIR path); unknown as no status. registered (no result yet) and preliminary
# (incomplete or unverified) are not used, as the FHIR path does not use them; cancelled
# and entered-in-error neither.
LAB_STATUSES: Final[Mapping[str, str | None]] = {
    "final": None,
    "amended": None,
    "corrected": None,
    "unknown": None,
    "registered": NOT_FINAL,
    "preliminary": NOT_FINAL,
    "cancelled": NOT_FINAL,
    "entered-in-error": IN_ERROR,
}

# Codes the FHIR path shares (service/fhir/convert.py).
CURRENT_CONDITION_CLINICAL = frozenset(
    code for code, why in CONDITION_CLINICAL_STATUSES.items() if why is None
)
EXCLUDED_VERIFICATION = frozenset(
    code for code, why in CONDITION_VERIFICATION_STATUSES.items() if why in (REFUTED, IN_ERROR)
)
UNCONFIRMED_VERIFICATION = frozenset(
    code for code, why in CONDITION_VERIFICATION_STATUSES.items() if why == UNCONFIRMED
)
USED_OBSERVATIONS = frozenset(
    code for code, why in LAB_STATUSES.items() if why is None and code != "unknown"
)


def _any_case(codes: Iterable[str]) -> str:
    """A JSON Schema (ECMA-262) pattern for exactly one of ``codes`` in any letter case:
    ``[Aa][Cc]...``; without inline flags, which not every regex dialect reads. The codes
    are letters and hyphens (literal outside a class)."""
    assert all(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", code) for code in codes)
    alternatives = (
        "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in code) for code in codes
    )
    return "^(?:" + "|".join(alternatives) + ")$"


def code_meta(codes: Mapping[str, str | None], description: str) -> msgspec.Meta:
    """The constraints of a string field taking one of ``codes`` in any letter case.
    ``extra`` keeps the codes for the error detail (``service.decoding``: "Expected one
    of ...")."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return msgspec.Meta(
        pattern=_any_case(codes),
        description=f"{description} One of {listed} (FHIR R4 codes; letter case does not matter).",
        extra={"codes": tuple(codes)},
    )


def reason_kind(template: str, status: str) -> str:
    """The kind of an exclusion by a status (``MedicationMatch.excluded``): the template
    and the code, read back by ``reason_of``."""
    return f"{template}:{status}"


def reason_of(templates: Mapping[str, str], kind: str) -> str:
    """The reason text of an exclusion kind: a qualifier's template, or a status's
    template with its code."""
    template, _, status = kind.partition(":")
    text = templates[template]
    return text.format(status=status) if status else text
