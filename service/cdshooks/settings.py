"""Settings of the FHIR fetch path, read from `CRAMP_FHIR_*` environment variables.

- `CRAMP_FHIR_ALLOWED_HOSTS`: comma-separated host names this service may fetch FHIR data
  from (`fhir.example.org`, `*.example.org`, `127.0.0.1`). Empty (the default) allows
  any http(s) `fhirServer`; set it in production so the service cannot be pointed at
  internal hosts.
- `CRAMP_FHIR_CONNECT_TIMEOUT` / `CRAMP_FHIR_READ_TIMEOUT`: seconds per request (2).
- `CRAMP_FHIR_BUDGET`: seconds for all fetches of one hook call together (4).
- `CRAMP_FHIR_MAX_REQUESTS`: FHIR requests per hook call, pages included (12).
- `CRAMP_FHIR_MAX_PAGES`: pages followed per search (3).
- `CRAMP_FHIR_MAX_RESPONSE_BYTES`: largest FHIR response read (5 MB).
- `CRAMP_FHIR_LAB_MAX_AGE_DAYS`: labs older than this are not used (400; 0 = no limit).
"""

from __future__ import annotations

import os
from typing import Annotated

import msgspec

ENV_PREFIX = "CRAMP_FHIR_"

Seconds = Annotated[float, msgspec.Meta(gt=0, le=60)]


class FhirSettings(msgspec.Struct, frozen=True, kw_only=True):
    allowed_hosts: str = ""
    connect_timeout: Seconds = 2.0
    read_timeout: Seconds = 2.0
    budget: Seconds = 4.0
    max_requests: Annotated[int, msgspec.Meta(ge=1, le=100)] = 12
    max_pages: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    max_response_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 5_000_000
    lab_max_age_days: Annotated[int, msgspec.Meta(ge=0)] = 400

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> FhirSettings:
        env = os.environ if environ is None else environ
        raw = {
            name: env[f"{ENV_PREFIX}{name.upper()}"]
            for name in cls.__struct_fields__
            if f"{ENV_PREFIX}{name.upper()}" in env
        }
        return msgspec.convert(raw, cls, strict=False)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    def host_allowed(self, host: str) -> bool:
        hosts = self.hosts
        if not hosts:
            return True
        host = host.lower().rstrip(".")
        return any(
            host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
            for allowed in hosts
        )
