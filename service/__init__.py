"""Cramp and spasm risk checker: knowledge, engine and adapters."""

# Before any engine module is imported: refuses a compiled build older than its source.
from service.build import ENGINE_BUILD

__version__ = "0.1.0"
__all__ = ["ENGINE_BUILD", "__version__"]
