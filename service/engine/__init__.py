"""The engine: pure matching and rule evaluation over the prepared knowledge base."""

from service.engine.check import check
from service.engine.models import CheckRequest, Report
from service.engine.prepared import Knowledge, load, prepare

__all__ = ["CheckRequest", "Knowledge", "Report", "check", "load", "prepare"]
