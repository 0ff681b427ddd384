"""Card feedback counted in memory: outcome and override-reason code per service, and per
problem and finding for the cards this process issued. No patient data, comment or
timestamp is kept.

Card uuids are random (new on every call), so the log remembers, for the most recent
cards it issued, which problem and findings each uuid stood for: a bounded map from uuid to
rule ids, nothing about the patient.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable

from service.cdshooks.models import FeedbackItem, FeedbackSummary

# About 180 bytes a card: 20,000 cards are about 3.5 MB.
MAX_CARDS = 20_000
OTHER_REASON = "other"


class FeedbackLog:
    def __init__(self, reason_codes: Iterable[str], max_cards: int = MAX_CARDS) -> None:
        # Only the override-reason codes this service offers are counted by code: any other
        # client-supplied string could carry patient data.
        self._reason_codes = frozenset(reason_codes)
        self._lock = threading.Lock()
        self._max_cards = max_cards
        # Card uuid -> finding ids, the problem's (lead) finding first; oldest first.
        self._cards: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        # One shared tuple per distinct set of findings: the same problems recur.
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._outcomes: Counter[tuple[str, str]] = Counter()
        self._reasons: Counter[tuple[str, str]] = Counter()
        self._findings: Counter[tuple[str, str, str]] = Counter()
        self._problems: Counter[tuple[str, str, str]] = Counter()

    def issued(self, card_uuid: str, finding_ids: Iterable[str]) -> None:
        """Remember a card: `finding_ids` start with its problem (`source.topic`) id."""
        ids = tuple(finding_ids)
        if not ids:
            return
        with self._lock:
            if len(self._shared) >= self._max_cards:
                self._shared.clear()  # only a saving: the cards keep their own tuples
            self._cards[card_uuid] = self._shared.setdefault(ids, ids)
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
                finding_ids = self._cards.get(item.card, ())
                if finding_ids:
                    self._problems[(service_id, finding_ids[0], item.outcome)] += 1
                for finding in finding_ids:
                    self._findings[(service_id, finding, item.outcome)] += 1
        return count

    def summary(self, service_id: str) -> FeedbackSummary:
        with self._lock:
            return FeedbackSummary(
                service=service_id,
                accepted=self._outcomes[(service_id, "accepted")],
                overridden=self._outcomes[(service_id, "overridden")],
                override_reasons={
                    code: n
                    for (service, code), n in sorted(self._reasons.items())
                    if service == service_id
                },
                findings=_by_id(self._findings, service_id),
                problems=_by_id(self._problems, service_id),
            )


def _by_id(counts: Counter[tuple[str, str, str]], service_id: str) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for (service, key, outcome), n in sorted(counts.items()):
        if service == service_id:
            table.setdefault(key, {})[outcome] = n
    return table
