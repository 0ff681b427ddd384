"""Resolve FHIR references: whose resource is this, and which Medication does it name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec

from service.errors import CrampError
from service.fhir import resources as r
from service.fhir.read import Entry, contained

_HISTORY = re.compile(r"/_history/[^/]*$")


def _clean(reference: str) -> str:
    return _HISTORY.sub("", reference.strip())


_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def server_base(url: str | None) -> str | None:
    """A FHIR server's base URL written one way (scheme and host in lower case, no default
    port, no trailing slash), or None when ``url`` is not an absolute http(s) URL."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if scheme not in _DEFAULT_PORTS or not netloc or parts.query or parts.fragment:
        return None
    netloc = netloc.removesuffix(_DEFAULT_PORTS[scheme])
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def base_of(full_url: str | None) -> str | None:
    """The server base of an absolute resource URL (``base/Type/id``), else None."""
    if not full_url:
        return None
    head, _, tail = _clean(full_url).rstrip("/").rpartition("/")
    if not tail or "/" not in head:
        return None
    return server_base(head.rpartition("/")[0])


def order_key(reference: str, local: frozenset[str] = frozenset()) -> str:
    """One key for the references that can name one MedicationRequest (a version of it
    too): ``MedicationRequest/id`` for a relative reference, or an absolute one on one of
    the ``local`` server bases (``server_base``: the fhirServer's, the referring entry's);
    an absolute reference to another server stays absolute (its base written one way), so
    it names only the resource whose ``fullUrl`` it is, never a local order that happens
    to share its id (review 22 C1); anything else (a ``urn:uuid``) is itself."""
    ref = _clean(reference)
    if ref.startswith("MedicationRequest/"):
        return ref
    head, found, tail = ref.rpartition("/MedicationRequest/")
    base = server_base(head) if found and tail and "/" not in tail else None
    if base is None:
        return ref
    return f"MedicationRequest/{tail}" if base in local else f"{base}/MedicationRequest/{tail}"


def order_names(entry: Entry, local: frozenset[str]) -> frozenset[str]:
    """The ``order_key`` keys a reference to this MedicationRequest may have: its id, its
    ``fullUrl`` as written, and ``MedicationRequest/id`` of a ``fullUrl`` on a ``local``
    base (the fhirServer's)."""
    names = {f"MedicationRequest/{entry.id}"} if entry.id else set()
    if entry.full_url:
        names.update((order_key(entry.full_url), order_key(entry.full_url, local)))
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class PatientFilter:
    """Accepts references to one patient: ``Patient/id``, an absolute URL ending in it,
    ``urn:uuid:id`` or the Patient entry's ``fullUrl``. With no patient id, accepts all."""

    patient_id: str | None
    aliases: frozenset[str] = frozenset()

    @classmethod
    def of(cls, patient_id: str | None, patients: Iterable[Entry] = ()) -> PatientFilter:
        if patient_id is None:
            return cls(None)
        aliases = {f"Patient/{patient_id}", f"urn:uuid:{patient_id}"}
        aliases.update(e.full_url for e in patients if e.id == patient_id and e.full_url)
        return cls(patient_id, frozenset(aliases))

    def accepts(self, reference: str | None) -> bool:
        """Whether a subject reference may be this patient's. A resource that names no
        subject (or a contained one) cannot be shown to be someone else's: accepted."""
        if self.patient_id is None or not reference or reference.startswith("#"):
            return True
        ref = _clean(reference)
        return ref in self.aliases or ref.endswith(f"/Patient/{self.patient_id}")


class MedicationIndex:
    """Medication resources by every reference that can name them."""

    def __init__(self, medications: Iterable[Entry]) -> None:
        self._by_ref: dict[str, r.Medication] = {}
        for entry in medications:
            if not isinstance(entry.resource, r.Medication):
                continue
            if entry.full_url:
                self._by_ref.setdefault(_clean(entry.full_url), entry.resource)
            if entry.id:
                self._by_ref.setdefault(f"Medication/{entry.id}", entry.resource)

    def resolve(self, reference: str, inside: Sequence[msgspec.Raw]) -> r.Medication | None:
        if reference.startswith("#"):
            found = contained(list(inside), "Medication", reference[1:])
            return found if isinstance(found, r.Medication) else None
        ref = _clean(reference)
        medication = self._by_ref.get(ref)
        if medication is None and "/Medication/" in ref:
            medication = self._by_ref.get("Medication/" + ref.rsplit("/Medication/", 1)[1])
        return medication


class PatientChoiceError(CrampError, ValueError):
    """A Bundle holds several patients' data and does not say whose to check."""


class PatientNotFoundError(CrampError, ValueError):
    """The patient asked for (``?patient=``) is nowhere in the Bundle: neither a Patient
    resource with that id nor a resource whose subject is that patient."""


def subject_of(resource: r.Resource | None) -> str | None:
    """The patient reference of a resource the service reads (``subject``, or the
    ``patient`` of older FHIR versions)."""
    if resource is None or isinstance(resource, r.Patient | r.Medication):
        return None
    for ref in (resource.subject, getattr(resource, "patient", None)):
        if ref is not None and ref.reference:
            return ref.reference
    return None


def choose_patient(items: Sequence[Entry], patient_id: str | None = None) -> PatientFilter:
    """The patient whose data a Bundle is about: `patient_id` when given (raises
    ``PatientNotFoundError`` when the Bundle holds nothing of that patient), else its
    single Patient resource, else the single subject its resources name (no filter if
    none)."""
    patients = [e for e in items if e.resource_type == "Patient"]
    if patient_id is not None:
        chosen = PatientFilter.of(patient_id, patients)
        if not any(e.id == patient_id for e in patients) and not any(
            (s := subject_of(e.resource)) and not s.startswith("#") and chosen.accepts(s)
            for e in items
        ):
            # A typo in an integration must not read as a clean check of nobody.
            raise PatientNotFoundError(
                "the Bundle holds no Patient resource with that id and no resource of that patient"
            )
        return chosen
    ids = {e.id for e in patients if e.id}
    if len(ids) > 1:
        raise PatientChoiceError(
            "the Bundle holds several Patient resources; name one with the `patient` parameter"
        )
    if ids:
        return PatientFilter.of(ids.pop(), patients)
    subjects = {_clean(s) for e in items if (s := subject_of(e.resource)) and not s.startswith("#")}
    if len(subjects) > 1:
        raise PatientChoiceError(
            "the Bundle holds resources of several patients and no Patient resource; "
            "name one with the `patient` parameter"
        )
    return PatientFilter(None)
