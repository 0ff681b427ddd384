"""Batch checks: NDJSON / JSON array / FHIR-folder inputs through the engine, in order.

``LineChecker.check_line(line, default_id) -> bytes`` is the whole per-patient path; the
CLI (``python -m service batch``), the HTTP batch endpoint and the Dask / Spark partition
functions (``service.batch.dask``) all run it.
"""

from service.batch.lines import LineChecker
from service.batch.models import BatchItem, BatchResult, BatchResults, LineProblem, Summary, Tally

__all__ = [
    "BatchItem",
    "BatchResult",
    "BatchResults",
    "LineChecker",
    "LineProblem",
    "Summary",
    "Tally",
]
