"""The structured status fields of the plain-JSON inputs, as FHIR R4 codes.

A medication's ``status``, a condition's ``clinical_status`` and ``verification_status``
and a lab's ``status`` take the codes of these FHIR R4 value sets (read leniently:
``read_status`` below), and mean what the FHIR path (``service/fhir/convert.py``) reads
them as (a preliminary result too, chosen by date there: ``LAB_STATUSES``):

- medication-statement-status (hl7.org/fhir/R4/valueset-medication-statement-status.html)
  and medicationrequest-status (hl7.org/fhir/R4/valueset-medicationrequest-status.html);
- condition-clinical (hl7.org/fhir/R4/valueset-condition-clinical.html);
- condition-ver-status (hl7.org/fhir/R4/valueset-condition-ver-status.html);
- observation-status (hl7.org/fhir/R4/valueset-observation-status.html).

An input whose status says it is not current is recognized, never flagged, and joins no
finding: the engine excludes it where it excludes a text that says so ("furosemide
(stopped)"), with the reason template named here (``datasets/texts.toml``). Each map's
value is that template; a code that maps to None is read as if no status were sent, as is
a value not understood (with a reason that says so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, NamedTuple

# Reason templates (datasets/texts.toml, [texts.templates]); each takes {status}.
NOT_TAKEN = "status_not_taken"
HELD = "status_held"
IN_ERROR = "status_in_error"
NOT_CURRENT = "status_not_current"
REFUTED = "status_refuted"
UNCONFIRMED = "status_unconfirmed"
NOT_FINAL = "status_not_final"
# Used, with a reason saying the result is not final yet (preliminary).
USED_NOT_FINAL = "status_used_not_final"
# Not used: a final (amended, corrected or no-status) result of the same analyte was sent.
SUPERSEDED = "status_superseded"
# A value not understood: {field}, {status} (as sent) and {reading}.
NOT_UNDERSTOOD = "status_not_understood"
# FHIR's ``unknown`` ("the authoring/source system does not know which of the status
# values currently applies", medicationrequest-status, medication-statement-status,
# observation-status): read as if no status were sent, its reason saying so ({reading}).
UNKNOWN_STATUS = "unknown"
STATUS_UNKNOWN = "status_unknown"
TEMPLATES: Final = (
    NOT_TAKEN,
    HELD,
    IN_ERROR,
    NOT_CURRENT,
    REFUTED,
    UNCONFIRMED,
    NOT_FINAL,
    USED_NOT_FINAL,
    SUPERSEDED,
    NOT_UNDERSTOOD,
    STATUS_UNKNOWN,
)

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
    UNKNOWN_STATUS: None,
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
# the FHIR path); unknown as no status. preliminary ("initial or interim ... may be
# incomplete or unverified") is used, with a reason saying so: a laboratory reports a
# critical value (potassium 2.4) before it finalizes the result because it is actionable,
# so a preliminary critical result must not vanish from the check. registered (no result
# yet), cancelled and entered-in-error are not used.
PRELIMINARY = "preliminary"
LAB_STATUSES: Final[Mapping[str, str | None]] = {
    "final": None,
    "amended": None,
    "corrected": None,
    UNKNOWN_STATUS: None,
    "registered": NOT_FINAL,
    PRELIMINARY: USED_NOT_FINAL,
    "cancelled": NOT_FINAL,
    "entered-in-error": IN_ERROR,
}

# Codes the FHIR path shares (service/fhir/convert.py). A preliminary Observation is read
# there too, choosing among a record's results by date (``_recent_labs``): see
# docs/clinical-policy.md.
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
    code for code, why in LAB_STATUSES.items() if why is None and code != UNKNOWN_STATUS
)


# Reading a sent status leniently. The fields were added after integrators could already
# send them (an unknown field was ignored), so a value the service does not understand never
# fails the check: it is read as if no status were sent, and the input's reason says so.
# A value is trimmed, case-folded, its spaces and underscores read as hyphens ("Not Taking"
# -> "not-taking", "entered in error" -> "entered-in-error"), a FHIR token's system dropped
# ("http://...|stopped" -> "stopped"), then looked up in the value set's codes and in the
# common EHR words for them (SYNONYMS). Empty is absent. An object is a FHIR Coding or
# CodeableConcept: its code of the value set's own code system first, then any of its codes
# that is understood, then its text.


class StatusSet(NamedTuple):
    """A value set read by a status field."""

    field: str  # how the reason names the field ("status", "clinical status", ...)
    codes: Mapping[str, str | None]
    synonyms: Mapping[str, str]  # a common EHR word -> the FHIR code it means
    system_tails: tuple[str, ...]  # the code systems' URI ends (".../condition-clinical")
    reading: str  # what a value not understood is read as (as if no status were sent)


class SentStatus(NamedTuple):
    """A status as read: ``code`` a FHIR code of the set (None when absent or not
    understood); ``not_understood`` the value sent when it was not understood."""

    code: str | None
    not_understood: str | None = None


ABSENT: Final = SentStatus(None)

MEDICATION: Final = StatusSet(
    "status",
    MEDICATION_STATUSES,
    {
        # Epic / Cerner medication list wording, and order states.
        "taking": "active",
        "current": "active",
        "not-taking": "not-taken",
        "not-taken": "not-taken",
        "discontinued": "stopped",
        "inactive": "stopped",
        "ended": "stopped",
        "canceled": "cancelled",
        "held": "on-hold",
        "hold": "on-hold",
        "holding": "on-hold",
        "suspended": "on-hold",
        "error": "entered-in-error",
        # Discontinued, as charted (review28 R1): "D/C", "DC", "dc'd".
        "d/c": "stopped",
        "dc": "stopped",
        "d-c": "stopped",
        "dc'd": "stopped",
        "d/c'd": "stopped",
        "dced": "stopped",
        "stopped-taking": "not-taken",
        "no-longer-taking": "not-taken",
        "patient-not-taking": "not-taken",
        "pt-not-taking": "not-taken",
        "never-taken": "not-taken",
        "not-started": "not-taken",
        "refused": "not-taken",
        "patient-refused": "not-taken",
        "declined": "not-taken",
        "temporarily-stopped": "on-hold",
        "paused": "on-hold",
        "deleted": "entered-in-error",
        "voided": "entered-in-error",
        "void": "entered-in-error",
        # HL7 v3 ActStatus (terminology.hl7.org/CodeSystem/v3-ActStatus): aborted is an act
        # stopped before it completed; nullified, an act recorded in error.
        "aborted": "stopped",
        "nullified": "entered-in-error",
        # Epic's "Patient not taking" flag on a row still listed as active: the order is
        # open, the patient does not take the drug (review29 O3).
        "active-not-taking": "not-taken",
        "active-patient-not-taking": "not-taken",
        "active-pt-not-taking": "not-taken",
        # "expired" (an order past its end date) and "not dispensed" stay not understood:
        # the patient may still take the drug (docs/api.md, "Reading a status").
    },
    ("medication-statement-status", "medicationrequest-status", "medication-status"),
    "read as current",
)
CONDITION_CLINICAL: Final = StatusSet(
    "clinical status",
    CONDITION_CLINICAL_STATUSES,
    {
        "current": "active",
        "recurrent": "recurrence",
        "relapsed": "relapse",
        "in-remission": "remission",
        "historical": "inactive",
        "history": "inactive",
        "past": "inactive",
        "history-of": "inactive",
        "h/o": "inactive",
        "hx": "inactive",
        "pmh": "inactive",
        "cured": "resolved",
        "deleted": "inactive",
    },
    ("condition-clinical",),
    "read as current",
)
CONDITION_VERIFICATION: Final = StatusSet(
    "verification status",
    CONDITION_VERIFICATION_STATUSES,
    {
        # "rule out" is a question (unconfirmed); "ruled out" an answer (refuted).
        "rule-out": "unconfirmed",
        "suspected": "provisional",
        "possible": "provisional",
        "probable": "provisional",
        "working": "provisional",
        "r/o": "unconfirmed",
        "query": "unconfirmed",
        "?": "unconfirmed",
        "pending": "unconfirmed",
        # "unknown" is no condition-ver-status code (FHIR R4 has unconfirmed, provisional,
        # differential, confirmed, refuted, entered-in-error): a value the source does not
        # know, read as if none were sent (confirmed, with a reason; review29 R3).
        "not-confirmed": "unconfirmed",
        "unverified": "unconfirmed",
        "not-verified": "unconfirmed",
        "differential-diagnosis": "differential",
        "working-diagnosis": "provisional",
        "ruled-out": "refuted",
        "negative": "refuted",
        "excluded": "refuted",
        "absent": "refuted",
        "not-present": "refuted",
        "denied": "refuted",
        "no": "refuted",
        "error": "entered-in-error",
        "deleted": "entered-in-error",
    },
    ("condition-ver-status",),
    "read as confirmed",
)
LAB: Final = StatusSet(
    "status",
    LAB_STATUSES,
    {
        # DiagnosticReport's partial (some results not yet final) reads as preliminary.
        "partial": "preliminary",
        "pending": "registered",
        "resulted": "final",
        "complete": "final",
        "completed": "final",
        "verified": "final",
        "canceled": "cancelled",
        "error": "entered-in-error",
        "prelim": "preliminary",
        "interim": "preliminary",
        "preliminary-result": "preliminary",
        "unverified": "preliminary",
        "not-verified": "preliminary",
        "in-process": "registered",
        "in-progress": "registered",
        "not-done": "cancelled",
        "not-performed": "cancelled",
        "invalid": "entered-in-error",
        "deleted": "entered-in-error",
        # HL7 v2 table 0085, Observation result status codes interpretation (OBX-11,
        # hl7.org/fhir/R4/v2/0085/index.html), sent as-is by feeds: C corrected (replaces a
        # final result), D deletes the OBX record, F final, I specimen in lab (results
        # pending), N not asked, O order detail only (no result), P preliminary, R results
        # entered, not verified, S partial, U changed to final without retransmitting,
        # V verified, W posted as wrong (e.g. wrong patient), X results cannot be obtained;
        # A amended, B appended (final results reviewed).
        "a": "amended",
        "b": "final",
        "c": "corrected",
        "d": "entered-in-error",
        "f": "final",
        "i": "registered",
        "n": "cancelled",
        "o": "registered",
        "p": "preliminary",
        "r": "preliminary",
        "s": "preliminary",
        "u": "final",
        "v": "final",
        "w": "entered-in-error",
        "x": "cancelled",
    },
    ("observation-status", "v2-0085"),
    "read as final",
)
# How much of a value not understood the reason repeats.
SHOWN_CHARACTERS = 40


def _key(value: str) -> str:
    word = value.rpartition("|")[2] if value.startswith(("http:", "https:", "urn:")) else value
    return re.sub(r"[\s_]+", "-", word.strip().casefold()).strip("-")


# Words read only as the whole value: "hold" leading more words is a hold parameter, a
# drug still taken ("Hold parameters", "hold for SBP<100"), not a held drug ("Held for
# surgery" is one).
WHOLE_ONLY: Final = frozenset({"hold"})


def _code_of(key: str, statuses: StatusSet) -> str | None:
    return key if key in statuses.codes else statuses.synonyms.get(key)


def _known(value: str, statuses: StatusSet) -> str | None:
    """The code a value means: the whole value, else (review28 R1) its leading words when
    they say the input is not current, not confirmed or not a final result and only a date
    or who said so follows ("Resolved 2019", "Discontinued 3/2024", "Discontinued by
    provider"). Any other words after them may undo them ("Stopped and restarted", "Hx of
    recurrent episodes, active", "Held if SBP < 100", "DC med", "Not present on admission":
    review29), so such a value is read as not understood (current, with a reason)."""
    key = _key(value)
    code = _code_of(key, statuses)
    if code is not None:
        return code
    words = [w for w in re.split(r"[-,;:.()]+", key) if w]
    # The same words with other marks between them ("Active - not taking", "Active, not
    # taking" -> "active-not-taking").
    code = _code_of("-".join(words), statuses)
    if code is not None:
        return code
    for size in range(len(words) - 1, 0, -1):
        lead = "-".join(words[:size])
        if lead in WHOLE_ONLY or not _only_when_or_who(words[size:]):
            continue
        code = _code_of(lead, statuses)
        if code is not None and statuses.codes.get(code) is not None:
            return code
    return None


# After a status's leading words: a date ("2019", "3/2024", "2024-03-01") or who said so
# ("by provider", "per patient"), and nothing else.
_DATE_WORD = re.compile(r"^(?:on|since|in)?\d{1,4}(?:/\d{1,4}){0,2}$")
_WHO_WORDS = frozenset({"by", "per"})
_WHEN_WORDS = frozenset({"on", "since", "in", "date", "unknown"})


def _only_when_or_who(rest: list[str]) -> bool:
    if not rest:
        return False
    if rest[0] in _WHO_WORDS:
        return len(rest) >= 2 and not any(ch.isdigit() for w in rest for ch in w)
    return all(_DATE_WORD.match(w) or w in _WHEN_WORDS for w in rest)


def _shown(value: str) -> str:
    value = " ".join(value.split())
    if len(value) <= SHOWN_CHARACTERS:
        return value
    return value[: SHOWN_CHARACTERS - 1] + "\u2026"


def read_status(value: object, statuses: StatusSet) -> SentStatus:
    """The FHIR code a sent status means, or the value not understood; absent when nothing
    (or only blanks) was sent. ``value`` a string, or an object with ``coding`` / ``text``
    (a CodeableConcept) or ``system`` / ``code`` (a Coding)."""
    if value is None:
        return ABSENT
    if isinstance(value, str):
        if not value.strip():
            return ABSENT
        if _ambiguous_letter(value, statuses):
            return SentStatus(None, _shown(value))
        code = _known(value, statuses)
        return SentStatus(code) if code else SentStatus(None, _shown(value))
    codings = [value, *(getattr(value, "coding", None) or ())]
    own = [
        c for c in codings
        if getattr(c, "code", None)
        and (getattr(c, "system", None) or "").rstrip("/").endswith(statuses.system_tails)
    ]  # fmt: skip
    # Every Coding's display too (a SNOMED CT "Suspended", a C-CDA "Resolved"): review28 R1.
    sent = [
        *(c.code for c in own),
        *(getattr(c, "code", None) for c in codings if c not in own),
        getattr(value, "text", None),
        *(getattr(c, "display", None) for c in codings),
    ]
    words = [w for w in sent if isinstance(w, str) and w.strip()]
    own_codes = {c.code for c in own}
    for word in words:
        if word not in own_codes and _ambiguous_letter(word, statuses):
            continue
        code = _known(word, statuses)
        if code:
            return SentStatus(code)
    return SentStatus(None, _shown(words[0])) if words else ABSENT


# HL7 v2 result-status letters (table 0085) that are also abnormal flags (table 0078: N
# normal, D significant drop, W worse, I intermediate, A abnormal, S susceptible, R
# resistant, U significant rise): as a bare string they may be a flag sent in the status
# field (review29 R4), so only a Coding of the v2-0085 system reads them. F, C and P are
# no flag.
_FLAG_LETTERS: Final = frozenset("ndwiasru")


def _ambiguous_letter(value: str, statuses: StatusSet) -> bool:
    return statuses is LAB and value.strip().casefold() in _FLAG_LETTERS


def is_preliminary(value: object) -> bool:
    """A lab ``status`` that reads as preliminary (``preliminary``, ``P``, ``interim``...)."""
    return value is not None and read_status(value, LAB).code == PRELIMINARY


def not_understood_reason(
    templates: Mapping[str, str], sent: SentStatus, statuses: StatusSet
) -> str:
    """The reason a value not understood adds to its input."""
    return templates[NOT_UNDERSTOOD].format(
        field=statuses.field, status=sent.not_understood, reading=statuses.reading
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
