"""``python -m service serve`` with the engine's answer fixed: the production path alone.

    scripts/run python bench/serve_fixed_answer.py --host 127.0.0.1 --port PORT

The production command, its server options, access log and metrics, and every step of
``POST /v1/check`` (the body decoded and checked for duplicate keys, the request id, the
report recorded in the metrics and encoded), except one: ``check()`` runs once, on the
first request, and its report is the answer to every later one. Measured beside the
floor (``bench/http_bench.py --targets serve,serve-fixed,floor``), it says how much of
``serve``'s cost is the engine and how much the rest. A measuring tool only: the service
itself never reuses a report.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from service.__main__ import main
from service.engine import CheckRequest, Knowledge, Report, check
from service.web import routes

_answer: list[Report] = []


def check_once(
    request: CheckRequest, knowledge: Knowledge, comparators: Sequence[str | None] = ()
) -> Report:
    if not _answer:
        _answer.append(check(request, knowledge))
    return _answer[0]


if __name__ == "__main__":
    routes.check = check_once  # type: ignore[attr-defined]  # the name the route calls
    main(["serve", *sys.argv[1:]])
