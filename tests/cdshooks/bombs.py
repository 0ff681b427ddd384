"""Hostile FHIR answers and bodies: what a FHIR server (or a caller) could send to drive
the service's memory up. Used by the memory tests and by `bench/fhir_memory.py`."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from functools import cache

MIB = 1024 * 1024
Answer = Callable[[str], tuple[int, dict[str, str], bytes] | None]
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def object_bomb(next_url: str, size: int = 5_000_000) -> bytes:
    """A searchset Bundle of ``size`` bytes whose entries are empty objects (`{}` x 1.6
    million in 5 MB), with a `next` link on the same origin."""
    head = (
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "link": [{"relation": "next", "url": next_url}],
            }
        ).encode()[:-1]
        + b', "entry": ['
    )
    count = (size - len(head) - 2) // 3
    return head + b"{}," * count + b"{}]}"


@cache
def gzip_bomb(expanded: int = 400 * MIB, level: int = 9) -> bytes:
    """A gzip stream that inflates to ``expanded`` bytes of valid JSON (a searchset Bundle
    padded with spaces): 400 KB for 400 MiB at level 9 (a few seconds to make), about
    1 MB for 200 MiB at level 1 (under a second)."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [deflate.compress(b'{"resourceType": "Bundle", "type": "searchset", "entry": [')]
    block = b" " * MIB
    parts += [deflate.compress(block) for _ in range(expanded // MIB)]
    parts.append(deflate.compress(b"]}"))
    parts.append(deflate.flush())
    return b"".join(parts)


def answer_objects(base: str) -> Answer:
    """Every request answered with an object bomb linking to a next page on `base`."""
    page = object_bomb(f"{base}/Observation?page=2")
    return lambda _path: (200, FHIR_JSON, page)


def answer_gzip(expanded: int = 400 * MIB, level: int = 9) -> Answer:
    bomb = gzip_bomb(expanded, level)
    return lambda _path: (200, {**FHIR_JSON, "Content-Encoding": "gzip"}, bomb)


def answer_brotli() -> Answer:
    """A body labelled brotli: the service does not ask for it and must not decode it."""
    body = gzip.compress(b'{"resourceType": "Bundle"}')
    return lambda _path: (200, {**FHIR_JSON, "Content-Encoding": "br"}, body)


def components_body(
    patient_id: str, count: int, fhir_server: str | None = None, size: int = 0
) -> bytes:
    """A CDS call whose prefetched Observation holds ``count`` empty components, each
    decoded into an object (built as bytes: a list of millions of dicts would cost the
    test process what it is measuring)."""
    call = {
        "hook": "patient-view",
        "hookInstance": "0f3c9a2e-bomb-4c1d-8e7f-6a5b4c3d2e1f",
        "context": {"patientId": patient_id},
        "prefetch": {
            "observations": {"resourceType": "Observation", "status": "final", "component": 0}
        },
    }
    if fhir_server is not None:  # the other keys are fetched from it
        call["fhirServer"] = fhir_server
    components = b"[" + b"{}," * (count - 1) + b"{}]"
    text = json.dumps(call).encode().replace(b'"component": 0', b'"component": ' + components)
    # Padded to ``size`` bytes with an element the service does not read.
    padding = max(0, size - len(text) - 20)
    return text[:-1] + b', "extension": "' + b"x" * padding + b'"}'


def entries_body(count: int) -> bytes:
    """A Bundle of ``count`` empty entries."""
    return b'{"resourceType": "Bundle", "entry": [' + b"{}," * (count - 1) + b"{}]}"
