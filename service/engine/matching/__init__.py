"""Match request items to knowledge concepts: codes first, then text, then fuzzy."""

from service.engine.matching.conditions import icd_prefixes, match_condition
from service.engine.matching.drugs import match_medication, resolve_words
from service.engine.matching.labs import match_lab

__all__ = ["icd_prefixes", "match_condition", "match_lab", "match_medication", "resolve_words"]
