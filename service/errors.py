"""The one base class of every error the service raises on purpose.

Each layer raises its own subclass (a bad dataset, a bad request, a FHIR record that does
not say whose it is, data a CDS Hooks call could not obtain); the adapters turn them into
their own answers (a 4xx problem, a batch line problem, a start-up message). Anything
else that escapes is a defect.
"""

from __future__ import annotations


class CrampError(Exception):
    """An expected failure with a message fit to show to the caller or operator."""
