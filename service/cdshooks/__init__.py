"""CDS Hooks 2.0: discovery, service calls (prefetch or FHIR fetch), cards and feedback."""

from service.cdshooks.feedback import FeedbackLog
from service.cdshooks.respond import DataUnavailableError, respond
from service.cdshooks.services import BY_ID, SERVICES, Service, discovery

__all__ = [
    "BY_ID",
    "SERVICES",
    "DataUnavailableError",
    "FeedbackLog",
    "Service",
    "discovery",
    "respond",
]
