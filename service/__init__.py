"""Cramp and spasm risk checker: knowledge, engine and adapters."""

__version__ = "0.1.0"
