"""Curated knowledge: schema, loader and the indexed, immutable knowledge base."""

from service.knowledge.base import KnowledgeBase
from service.knowledge.loader import KnowledgeError, default_datasets_dir, load_knowledge

__all__ = ["KnowledgeBase", "KnowledgeError", "default_datasets_dir", "load_knowledge"]
