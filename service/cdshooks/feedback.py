"""Card feedback counted in memory: outcome and override-reason code per service, and per
finding for the cards this process issued. No patient data, comment or timestamp is kept."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable

from service.cdshooks.models import FeedbackItem, FeedbackSummary

MAX_CARDS = 10_000
OTHER_REASON = "other"


class FeedbackLog:
    def __init__(self, reason_codes: Iterable[str], max_cards: int = MAX_CARDS) -> None:
        # Only the override-reason codes this service offers are counted by code: any other
        # client-supplied string could carry patient data.
        self._reason_codes = frozenset(reason_codes)
        self._lock = threading.Lock()
        self._max_cards = max_cards
        # Card uuid -> finding ids. Uuids are derived from service and finding ids only.
        self._cards: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._outcomes: Counter[tuple[str, str]] = Counter()
        self._reasons: Counter[tuple[str, str]] = Counter()
        self._findings: Counter[tuple[str, str, str]] = Counter()

    def issued(self, card_uuid: str, finding_ids: Iterable[str]) -> None:
        with self._lock:
            self._cards[card_uuid] = tuple(finding_ids)
            self._cards.move_to_end(card_uuid)
            while len(self._cards) > self._max_cards:
                self._cards.popitem(last=False)

    def record(self, service_id: str, items: Iterable[FeedbackItem]) -> int:
        count = 0
        with self._lock:
            for item in items:
                count += 1
                self._outcomes[(service_id, item.outcome)] += 1
                reason = item.override_reason.reason if item.override_reason else None
                if item.outcome == "overridden" and reason is not None and reason.code:
                    code = reason.code if reason.code in self._reason_codes else OTHER_REASON
                    self._reasons[(service_id, code)] += 1
                for finding in self._cards.get(item.card, ()):
                    self._findings[(service_id, finding, item.outcome)] += 1
        return count

    def summary(self, service_id: str) -> FeedbackSummary:
        with self._lock:
            findings: dict[str, dict[str, int]] = {}
            for (service, finding, outcome), n in sorted(self._findings.items()):
                if service == service_id:
                    findings.setdefault(finding, {})[outcome] = n
            return FeedbackSummary(
                service=service_id,
                accepted=self._outcomes[(service_id, "accepted")],
                overridden=self._outcomes[(service_id, "overridden")],
                override_reasons={
                    code: n
                    for (service, code), n in sorted(self._reasons.items())
                    if service == service_id
                },
                findings=findings,
            )
