"""What matching reads from each request item (immutable, shared by the phrase memos).

Plain classes with ``Final`` attributes, not msgspec Structs: the compiled engine builds
them as native classes, whose attributes it reads without a dictionary or descriptor
look-up."""

from __future__ import annotations

from typing import Final

from service.engine.models import MatchKind
from service.knowledge.schema import Route


class DrugHit:
    """A drug named by an item, and the route it is taken by (a key of the prepared
    knowledge: equal and hashed by both)."""

    __slots__ = ("_hash", "drug_id", "route")

    def __init__(self, drug_id: str, route: Route | None) -> None:
        self.drug_id: Final = drug_id
        self.route: Final = route
        self._hash: Final = hash((drug_id, route))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DrugHit):
            return NotImplemented
        return self.drug_id == other.drug_id and self.route == other.route

    def __repr__(self) -> str:
        return f"DrugHit({self.drug_id!r}, {self.route!r})"


class MedicationMatch:
    __slots__ = ("causes", "excluded", "hits", "how", "prn", "read_as", "reason", "suggestions")

    def __init__(
        self,
        hits: tuple[DrugHit, ...],
        suggestions: tuple[str, ...] = (),
        reason: str | None = None,
        how: MatchKind | None = None,
        read_as: tuple[str, ...] = (),
        prn: bool = False,
        excluded: tuple[tuple[str, str], ...] = (),
        causes: tuple[str, ...] = (),
    ) -> None:
        self.hits: Final = hits
        self.suggestions: Final = suggestions
        self.reason: Final = reason
        self.how: Final = how
        # The known terms misspelled words were read as.
        self.read_as: Final = read_as
        # An as-needed order.
        self.prn: Final = prn
        # Drugs the text names but says are not current (stopped, denied, ...), each
        # with the qualifier kind; ``hits`` holds only the current ones.
        self.excluded: Final = excluded
        # Drugs named as the cause of what another drug of the entry treats ("KCl for
        # hypokalemia from HCTZ"): in ``hits`` unless another entry lists them.
        self.causes: Final = causes

    def read(self, how: MatchKind | None) -> MedicationMatch:
        """The same match, read another way (from a coding's display, say)."""
        return MedicationMatch(
            self.hits,
            self.suggestions,
            self.reason,
            how,
            self.read_as,
            self.prn,
            self.excluded,
            self.causes,
        )

    def without(self, hits: tuple[DrugHit, ...], kind: str) -> MedicationMatch:
        """The same match with ``hits`` no longer current, each excluded as ``kind``."""
        return MedicationMatch(
            tuple(h for h in self.hits if h not in hits),
            self.suggestions,
            self.reason,
            self.how,
            self.read_as,
            self.prn,
            (*self.excluded, *((h.drug_id, kind) for h in hits)),
            self.causes,
        )


# The qualifier kind (and reason template) of a condition named with the operation that
# cured it (``Condition.cured_by``).
CURED_BY_OPERATION = "cured_by_operation"


class ConditionMatch:
    __slots__ = ("condition_ids", "excluded", "how", "read_as", "reason", "suggestions")

    def __init__(
        self,
        condition_ids: tuple[str, ...],
        excluded: tuple[tuple[str, str], ...] = (),
        suggestions: tuple[str, ...] = (),
        reason: str | None = None,
        how: MatchKind | None = None,
        read_as: tuple[str, ...] = (),
    ) -> None:
        self.condition_ids: Final = condition_ids
        # Concepts named in the text but qualified (absent, a relative's, ...):
        # recognized, not flagged; each with the qualifier kind (the name of its reason
        # template).
        self.excluded: Final = excluded
        self.suggestions: Final = suggestions
        self.reason: Final = reason
        self.how: Final = how
        self.read_as: Final = read_as

    def read(self, how: MatchKind | None) -> ConditionMatch:
        """The same match, read another way (from a coding's display, say)."""
        return ConditionMatch(
            self.condition_ids, self.excluded, self.suggestions, self.reason, how, self.read_as
        )


class LabMatch:
    __slots__ = (
        "analyte_id",
        "corrected",
        "factor",
        "how",
        "not_used",
        "reason",
        "suggestions",
        "test_id",
        "value",
    )

    def __init__(
        self,
        analyte_id: str | None,
        value: float | None,
        reason: str | None = None,
        how: MatchKind | None = None,
        factor: float = 1.0,
        corrected: bool = False,
        test_id: str | None = None,
        not_used: bool = False,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.analyte_id: Final = analyte_id
        # In the analyte's canonical unit.
        self.value: Final = value
        self.reason: Final = reason
        self.how: Final = how
        # Units of the input per canonical unit (to show canonical values in the input's
        # unit).
        self.factor: Final = factor
        # Already corrected by the laboratory (an adjusted calcium): not corrected again.
        self.corrected: Final = corrected
        # A lab known but not checked (``kb.lab_tests``; ``analyte_id`` is then None).
        self.test_id: Final = test_id
        # Its ``status`` says it is not a result to use (``reason`` says which): recognized,
        # its value not read (``value`` is None).
        self.not_used: Final = not_used
        # What a value not read probably is (a probable unit error: "5.4 mmol/L").
        self.suggestions: Final = suggestions
