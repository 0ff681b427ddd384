"""The engine: pure matching and rule evaluation over the knowledge base."""

from service.engine.check import check
from service.engine.models import CheckRequest, Report

__all__ = ["CheckRequest", "Report", "check"]
