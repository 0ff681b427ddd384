"""All configuration in one place, read from ``CRAMP_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from service.knowledge.loader import default_datasets_dir

ENV_PREFIX = "CRAMP_"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # The container default; tests bind 127.0.0.1.
    host: str = "0.0.0.0"
    port: int = 8000
    log_level: str = "info"
    # Largest accepted request body; larger bodies get 413.
    max_body_bytes: int = 1_048_576
    datasets_dir: Path = msgspec.field(default_factory=default_datasets_dir)
    # Serve the interactive OpenAPI pages (the JSON document is always served).
    docs: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw = {
            name: env[f"{ENV_PREFIX}{name.upper()}"]
            for name in cls.__struct_fields__
            if f"{ENV_PREFIX}{name.upper()}" in env
        }
        return msgspec.convert(raw, cls, strict=False)
