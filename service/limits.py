"""Every input limit of the service, in one place.

The request models (``service.engine.models``), the FHIR converter, the batch readers, the
OpenAPI document and the settings defaults all read these names, so a limit is changed
here and nowhere else. Limits on shapes (list lengths, text lengths) are part of the
contract and fixed at import time; limits on sizes that an operator may tune (body bytes,
batch lines) are the defaults of ``service.settings.Settings``.
"""

from __future__ import annotations

# --- POST /v1/check (and every other way a check request arrives) ---
MAX_MEDICATIONS = 200
MAX_CONDITIONS = 200
MAX_LABS = 100
MAX_CODINGS = 10
MAX_TEXT = 500
MAX_CODE = 100
MAX_SYSTEM = 200
MAX_ROUTE = 50
MAX_UNIT = 50
# Lab values beyond this magnitude are never numbers a lab reports.
MAX_LAB_VALUE = 1e9
MAX_AGE_YEARS = 130

# --- request bodies (defaults of the settings of the same names) ---
MAX_BODY_BYTES = 1_048_576
BATCH_MAX_LINES = 10_000
BATCH_MAX_BODY_BYTES = 33_554_432
# A batch line id (string) and a FHIR Bundle entry's fullUrl.
MAX_ID_LENGTH = 200
MAX_FULL_URL = 500

# --- the HTTP server (defaults of the settings of the same names; docs/operations.md) ---
# Request line and headers together, bytes (431 above). Node.js and h11 use 16 KiB too.
MAX_HEADER_BYTES = 16_384
# Seconds for a whole request head to arrive (408 and close after).
HEADER_TIMEOUT = 10.0
# A body still arriving after BODY_TIMEOUT seconds must have come at BODY_MIN_RATE bytes per
# second on average (408 and close otherwise).
BODY_TIMEOUT = 10.0
BODY_MIN_RATE = 16_384
# Seconds for a whole request body to arrive, however fast it comes (408 and close after):
# a body read at the minimum rate alone could take minutes (8 MiB at 16 KiB/s: 512 s).
BODY_DEADLINE = 120.0
# Per worker: bytes of request bodies beyond the first MAX_BODY_BYTES of each (the large
# FHIR and batch bodies) held while they arrive and until a slot takes them over; a body
# that would pass it gets 503 + Retry-After. Two whole batch bodies, as many as batch slots.
BODY_BUFFER_BYTES = 67_108_864
# Seconds a response may wait on a client that does not read it.
SEND_TIMEOUT = 30.0
# Per worker: requests in flight (503 + Retry-After beyond; probes excepted), batch
# requests in flight (each holds its body until its last result is sent), open connections.
LIMIT_CONCURRENCY = 64
BATCH_LIMIT_CONCURRENCY = 2
MAX_CONNECTIONS = 1000

# --- FHIR ---
# FHIR request bodies: POST /v1/check/fhir and CDS Hooks calls (default of
# CRAMP_FHIR_MAX_BODY_BYTES). Whole patient records fit: the largest of 587 Synthea R4
# patients of smart-on-fhir/generated-sample-data is 3.9 MB (1,244 entries).
MAX_FHIR_BODY_BYTES = 8 * 1024 * 1024
# JSON objects and arrays in the FHIR JSON read for one request (the body, prefetch and
# fetched pages together), counted before decoding: this bounds what decoding can build
# (about 100 bytes each at most), whatever the shape. Real records hold about 6,000-9,500
# per MB (Synthea, above), so an 8 MiB record needs at most about 80,000.
MAX_FHIR_OBJECTS = 250_000
# Entries of a Bundle sent to POST /v1/check/fhir, and resources read for one CDS Hooks
# call (prefetch plus fetched pages).
MAX_BUNDLE_ENTRIES = 25_000
MAX_RECORD_ENTRIES = 25_000
# A Bundle file in a batch (Synthea writes a patient's whole history).
MAX_FILE_BUNDLE_ENTRIES = 100_000
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_FILE_OBJECTS = 8_000_000
