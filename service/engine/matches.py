"""What matching reads from each request item (immutable Structs shared by the memo)."""

from __future__ import annotations

import msgspec

from service.engine.models import MatchKind
from service.knowledge.schema import Route


class DrugHit(msgspec.Struct, frozen=True, gc=False):
    drug_id: str
    route: Route | None


class MedicationMatch(msgspec.Struct, frozen=True, gc=False):
    hits: tuple[DrugHit, ...]
    suggestions: tuple[str, ...] = ()
    reason: str | None = None
    how: MatchKind | None = None
    # The known terms misspelled words were read as.
    read_as: tuple[str, ...] = ()
    # An as-needed order.
    prn: bool = False
    # Drugs the text names but says are not current (stopped, denied, ...), each with the
    # qualifier kind; ``hits`` holds only the current ones.
    excluded: tuple[tuple[str, str], ...] = ()


class ConditionMatch(msgspec.Struct, frozen=True, gc=False):
    condition_ids: tuple[str, ...]
    # Concepts named in the text but qualified (absent, a relative's, ...): recognized, not
    # flagged; each with the qualifier kind (the name of its reason template).
    excluded: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()
    reason: str | None = None
    how: MatchKind | None = None
    read_as: tuple[str, ...] = ()


class LabMatch(msgspec.Struct, frozen=True, gc=False):
    analyte_id: str | None
    value: float | None  # in the analyte's canonical unit
    reason: str | None = None
    how: MatchKind | None = None
    # Units of the input per canonical unit (to show canonical values in the input's unit).
    factor: float = 1.0
