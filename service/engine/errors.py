"""Input errors the engine finds that the request schema cannot: values that are not
possible for the analyte they measure."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine.matches import LabMatch
from service.engine.models import LabInput
from service.errors import CrampError
from service.knowledge.base import KnowledgeBase

# (JSON Pointer into the request, what is wrong)
FieldProblem = tuple[str, str]
IMPLAUSIBLE_TITLE = "A lab value is not a possible result"


class ImplausibleValueError(CrampError):
    """Lab values outside what is physiologically possible: entry errors (a 400)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(detail for _, detail in problems))
        self.problems = list(problems)


def implausible_values(
    items: Sequence[LabInput], labs: Sequence[LabMatch], kb: KnowledgeBase
) -> list[FieldProblem]:
    problems = []
    template = kb.texts.templates["lab_implausible"]
    for index, (item, match) in enumerate(zip(items, labs, strict=True)):
        if match.analyte_id is None or match.value is None:
            continue
        analyte = kb.analytes[match.analyte_id]
        low, high = analyte.plausible
        if not low <= match.value <= high:
            problems.append(
                (
                    f"/labs/{index}/value",
                    template.format(
                        value=f"{item.value:g}",
                        unit=item.unit,
                        analyte=analyte.name,
                        low=f"{low / match.factor:.3g}",
                        high=f"{high / match.factor:.3g}",
                    ),
                )
            )
    return problems
