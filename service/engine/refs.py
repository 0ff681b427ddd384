"""Inputs as (list rank, index) while checking, and the shared ``InputRef`` objects."""

from __future__ import annotations

from service.engine.models import Finding, InputRef, ListName

# An input: its list as its rank in report order, and its index in that list. Typed as a
# variable-length tuple so the compiled engine keeps it one boxed object (a fixed pair
# would be unboxed and boxed again at every list, set and dict it enters).
Ref = tuple[int, ...]
MEDICATIONS, CONDITIONS, LABS, PATIENT = 0, 1, 2, 3
LIST_NAMES: tuple[ListName, ...] = ("medications", "conditions", "labs", "patient")
LIST_ORDER: dict[str, int] = {name: rank for rank, name in enumerate(LIST_NAMES)}
_SHARED = 256
# The InputRefs of the first inputs of every list, made once (they are immutable).
_INPUT_REFS = [[InputRef(name, i) for i in range(_SHARED)] for name in LIST_NAMES]


def input_ref(rank: int, index: int) -> InputRef:
    if index < _SHARED:
        return _INPUT_REFS[rank][index]
    return InputRef(LIST_NAMES[rank], index)


def first_ref(finding: Finding) -> Ref:
    if not finding.inputs:
        return PATIENT, 0
    first = finding.inputs[0]
    return LIST_ORDER[first.list], first.index
