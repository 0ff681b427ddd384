"""A small FHIR R4 server on 127.0.0.1 (http.server), serving the fixture resources.

It answers `GET {base}/Patient/{id}` and type searches `GET {base}/{Type}?patient=...`
(with `code=` for Observation, `_count` paging with `next` links, and `_include=...:medication`),
like EHR FHIR servers do. It ignores status filters, as lenient servers do, so the service's
own status filtering is exercised. Every request must carry the bearer token (else 401).
It records each request's raw path (query string as sent), token and headers; a test can
answer searches itself (``answer``), e.g. with a decompression bomb.
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
TOKEN = "test-access-token-5f2c"
BASE_PATH = "/fhir"
SEARCHABLE = ("MedicationRequest", "MedicationStatement", "Condition", "Observation")


@dataclass
class FhirServer:
    resources: list[dict[str, Any]]
    token: str = TOKEN
    # Behaviour switches for tests.
    delay: float = 0.0
    page_size: int | None = None
    foreign_next: bool = False
    status_override: int | None = None
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    # A test's own answer to a request path: (status, headers, body), or None for the
    # usual answer.
    answer: Callable[[str], tuple[int, dict[str, str], bytes] | None] | None = None
    host: str = "127.0.0.1"
    port: int = 0
    # Serve https with this context (its certificate names `host`).
    tls: ssl.SSLContext | None = None

    @property
    def base(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}{BASE_PATH}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def _subject_id(resource: dict[str, Any]) -> str | None:
    ref = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
    return ref.rsplit("Patient/", 1)[1] if "Patient/" in ref else None


def _codes(resource: dict[str, Any]) -> set[str]:
    out = set()
    for coding in (resource.get("code") or {}).get("coding", []):
        out.add(coding.get("code"))
        out.add(f"{coding.get('system')}|{coding.get('code')}")
    return out


def _bundle(matches: list[dict[str, Any]], included: list[dict[str, Any]]) -> dict[str, Any]:
    entries = [{"resource": r, "search": {"mode": "match"}} for r in matches]
    entries += [{"resource": r, "search": {"mode": "include"}} for r in included]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}


def _handler(server: FhirServer) -> type[BaseHTTPRequestHandler]:
    by_key = {(r["resourceType"], r["id"]): r for r in server.resources}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _outcome(self, status: int, text: str) -> None:
            self._send(
                status,
                {
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "processing", "diagnostics": text}],
                },
            )

        def do_GET(self) -> None:
            authorization = self.headers.get("Authorization")
            server.requests.append((self.path, authorization))
            server.headers.append({k.lower(): v for k, v in self.headers.items()})
            if server.delay:
                time.sleep(server.delay)
            if authorization != f"Bearer {server.token}":
                self._outcome(401, "bearer token required")
                return
            if server.status_override:
                self._outcome(server.status_override, "unavailable")
                return
            custom = server.answer(self.path) if server.answer else None
            if custom is not None:
                status, headers, data = custom
                self.send_response(status)
                for name, value in {"Content-Length": str(len(data)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                return
            url = urlsplit(self.path)
            if not url.path.startswith(BASE_PATH + "/"):
                self._outcome(404, "unknown path")
                return
            parts = url.path[len(BASE_PATH) + 1 :].split("/")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if len(parts) == 2:
                found = by_key.get((parts[0], parts[1]))
                if found is None:
                    self._outcome(404, "not found")
                else:
                    self._send(200, found)
                return
            if len(parts) != 1 or parts[0] not in SEARCHABLE or "patient" not in query:
                self._outcome(400, "unsupported search")
                return
            self._search(parts[0], query)

        def _search(self, kind: str, query: dict[str, str]) -> None:
            matches = [
                r
                for r in server.resources
                if r["resourceType"] == kind and _subject_id(r) == query["patient"]
            ]
            if "code" in query:
                wanted = set(query["code"].split(","))
                matches = [r for r in matches if _codes(r) & wanted]
            if query.get("_sort") == "-date":
                matches.sort(key=lambda r: r.get("effectiveDateTime", ""), reverse=True)
            included = []
            if query.get("_include", "").endswith(":medication"):
                for r in matches:
                    ref = (r.get("medicationReference") or {}).get("reference", "")
                    if ref.startswith("Medication/"):
                        found = by_key.get(("Medication", ref.split("/", 1)[1]))
                        if found is not None:
                            included.append(found)
            offset = int(query.get("_offset", "0"))
            size = server.page_size or len(matches) or 1
            page = matches[offset : offset + size]
            bundle = _bundle(page, included if offset == 0 else [])
            if offset + size < len(matches):
                rest = urlencode({k: v for k, v in query.items() if k != "_offset"}, safe=",")
                host = (
                    "http://127.0.0.2:9" if server.foreign_next else server.base[: -len(BASE_PATH)]
                )
                bundle["link"] = [
                    {
                        "relation": "next",
                        "url": f"{host}{BASE_PATH}/{kind}?{rest}&_offset={offset + size}",
                    }
                ]
            self._send(200, bundle)

    return Handler


def load_resources(name: str = "ehr_server_resources.json") -> list[dict[str, Any]]:
    bundle = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [entry["resource"] for entry in bundle["entry"]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The service hangs up on answers it refuses (bombs): not an error of the stub.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(server: FhirServer) -> Iterator[FhirServer]:
    httpd = _Server(("127.0.0.1", 0), _handler(server))
    if server.tls is not None:
        httpd.socket = server.tls.wrap_socket(httpd.socket, server_side=True)
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
