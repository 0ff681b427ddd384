"""`fhirServer` safety (SSRF): which hosts and addresses the service may fetch from.

The service runs for real (TestClient) against a FHIR server on 127.0.0.1. Names are
resolved by the operating system's resolver, which a test replaces (``socket.getaddrinfo``)
to play a DNS server that answers what an attacker would make it answer.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.allowlist import parse_entries
from service.cdshooks import guard
from service.cdshooks.guard import policy, refusal
from service.cdshooks.respond import DATA_UNAVAILABLE
from service.settings import FhirSettings
from tests.cdshooks.certificates import Authority
from tests.cdshooks.conftest import PATIENT_ID, PATIENT_VIEW, Client, make_client, only_server
from tests.cdshooks.fhir_server import FhirServer, load_resources, serve

Body = Callable[[str], dict[str, Any]]
MakeClient = Callable[[FhirSettings], Client]
REAL_GETADDRINFO = socket.getaddrinfo


def settings(allowed: str) -> FhirSettings:
    return FhirSettings(lab_max_age_days=0, allowed_hosts=allowed, connect_timeout=1)


def call(client: Client, body: dict[str, Any], server: str) -> Any:
    body["fhirServer"] = server
    return client.post(PATIENT_VIEW, json=body)


@pytest.fixture(scope="module")
def public_only() -> Iterator[Client]:
    """An app that may fetch from any host whose addresses are all public."""
    client = make_client(settings("*:*"))
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def no_prefetch(request_body: Body, fhir_server: FhirServer) -> dict[str, Any]:
    body: dict[str, Any] = only_server(request_body("cds_patient_view.json"), fhir_server)
    return body


class Resolver:
    """Answers for test names, in order (the last one repeats); the real resolver for
    everything else. Counts the look-ups of each name."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: dict[str, int] = {}

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        count = self.lookups.get(name, 0)
        self.lookups[name] = count + 1
        addresses = self.answers[name][min(count, len(self.answers[name]) - 1)]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, int(port or 0), 0, 0) if ":" in a else (a, int(port or 0)),
            )
            for a in addresses
        ]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Resolver]]:
    def install(**answers: list[list[str]]) -> Resolver:
        fake = Resolver({name.replace("_", "."): lists for name, lists in answers.items()})
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    yield install


def test_the_default_allows_no_fhir_server_and_prefetch_still_works(
    client_with: MakeClient,
    request_body: Body,
    no_prefetch: dict[str, Any],
    fhir_server: FhirServer,
) -> None:
    client = client_with(FhirSettings(lab_max_age_days=0))
    response = client.post(PATIENT_VIEW, json=no_prefetch)
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    assert fhir_server.requests == []
    # Prefetch is read as before; fhirServer is never contacted.
    with_prefetch = request_body("cds_patient_view.json")
    with_prefetch["fhirServer"] = fhir_server.base
    assert client.post(PATIENT_VIEW, json=with_prefetch).status_code == 200
    assert fhir_server.requests == []


@pytest.mark.parametrize("server", ["https://xn--/fhir", "https://xn--zz.example.org/fhir"])
def test_a_malformed_idna_host_is_a_412_not_a_500(
    client_with: MakeClient, public_only: Client, no_prefetch: dict[str, Any], server: str
) -> None:
    # A host the URL parser accepts but cannot decode (a bad A-label) is refused like any
    # other host that may not be contacted, with the defaults and with a wildcard alike.
    for client in (client_with(FhirSettings(lab_max_age_days=0)), public_only):
        response = call(client, dict(no_prefetch), server)
        assert response.status_code == 412
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == DATA_UNAVAILABLE


def test_loopback_is_refused_unless_named(
    client_with: MakeClient, no_prefetch: dict[str, Any], fhir_server: FhirServer
) -> None:
    for allowed in ("*:*", "*.0.0.1:*", "localhost:*"):
        response = call(client_with(settings(allowed)), dict(no_prefetch), fhir_server.base)
        assert response.status_code == 412, allowed
        assert response.json()["title"] == DATA_UNAVAILABLE
    assert fhir_server.requests == []
    named = client_with(settings("127.0.0.1:*"))
    assert call(named, dict(no_prefetch), fhir_server.base).status_code == 200
    assert fhir_server.requests


@pytest.mark.parametrize(
    ("server", "reason"),
    [
        ("https://10.20.30.40/fhir", "a private address"),
        ("https://192.168.1.20:8080/fhir", "a private address"),
        ("https://172.16.0.9/fhir", "a private address"),
        ("https://100.64.1.1/fhir", "a carrier-grade NAT address"),
        ("https://169.254.169.254/latest/meta-data", "a cloud metadata address"),
        ("https://169.254.10.10/fhir", "a link-local address"),
        ("https://[fe80::1]/fhir", "a link-local address"),
        ("https://[fd00:ec2::254]/fhir", "a cloud metadata address"),
        ("https://[fc00::5]/fhir", "a private or unique-local address"),
        ("https://[::1]/fhir", "a loopback address"),
        ("https://[::ffff:127.0.0.1]/fhir", "a loopback address"),
        ("https://0.0.0.0:8000/fhir", "an unspecified or multicast address"),
        ("https://[::]/fhir", "an unspecified or multicast address"),
        ("https://224.0.0.1/fhir", "an unspecified or multicast address"),
        ("https://metadata.google.internal/computeMetadata/v1", "a cloud metadata service"),
        # Review 20 B1: IPv4 inside IPv6 forms Python's `is_global` calls global.
        ("https://[::127.0.0.1]:9901/ok", "an IPv4-compatible address"),
        ("https://[::a00:1]/fhir", "an IPv4-compatible address"),
        ("https://[::ffff:0:7f00:1]:9901/ok", "a loopback address"),
        ("https://[::ffff:0:a00:1]/fhir", "a private address"),
        ("https://[64:ff9b:1::7f00:1]:9901/ok", "a local-use NAT64 address"),
        ("https://[64:ff9b:1::808:808]/fhir", "a local-use NAT64 address"),
        ("https://[64:ff9b::7f00:1]/fhir", "a loopback address"),
        ("https://[64:ff9b::a9fe:a9fe]/fhir", "a cloud metadata address"),
        ("https://[2002:7f00:1::]/fhir", "a loopback address"),
        ("https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/fhir", "a private address"),
        ("https://[fec0::1]/fhir", "a reserved address"),
        ("https://[3fff::1]/fhir", "a reserved address"),
    ],
)
def test_internal_addresses_are_refused_without_connecting(
    public_only: Client,
    no_prefetch: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    server: str,
    reason: str,
) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="service.cdshooks"):
        response = call(public_only, no_prefetch, server)
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    # Refused before any connection attempt (the connect time-out is 1 s).
    assert time.monotonic() - started < 0.9
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reason in logged
    assert PATIENT_ID not in logged and server not in logged


def test_a_name_resolving_to_a_private_address_is_refused(
    public_only: Client,
    no_prefetch: dict[str, Any],
    resolver: Callable[..., Resolver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Every address of the answer is checked: one public address does not make it safe.
    resolver(intranet_test=[["10.0.0.7"]], mixed_test=[["93.184.216.34", "127.0.0.1"]])
    with caplog.at_level(logging.INFO, logger="service.cdshooks"):
        for server in ("https://intranet.test/fhir", "https://mixed.test/fhir"):
            response = call(public_only, dict(no_prefetch), server)
            assert response.status_code == 412
            assert response.json()["title"] == DATA_UNAVAILABLE
        # The real resolver: localhost is loopback.
        assert call(public_only, no_prefetch, "https://localhost/fhir").status_code == 412
    logged = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert logged == [
        "FHIR fetch refused: the host resolves to a private address",
        "FHIR fetch refused: the host resolves to a loopback address",
        "FHIR fetch refused: the host resolves to a loopback address",
    ]


def test_the_checked_address_is_the_one_connected_to(
    client_with: MakeClient,
    no_prefetch: dict[str, Any],
    fhir_server: FhirServer,
    resolver: Callable[..., Resolver],
) -> None:
    """DNS rebinding: the name first resolves to the server's address, then to another.
    The service resolves once and connects to the address it checked; a second look-up
    (what an HTTP client does by default) would reach 127.0.0.2, where nothing listens."""
    fake = resolver(rebind_test=[["127.0.0.1"], ["127.0.0.2"]])
    client = client_with(settings("rebind.test:*"))
    server = f"http://rebind.test:{fhir_server.port}/fhir"
    response = call(client, no_prefetch, server)
    assert response.status_code == 200, response.text
    assert fake.lookups["rebind.test"] == 1
    assert len(fhir_server.requests) == 5
    # The name is kept in the Host header (and in TLS SNI and certificate checks).
    assert {h["host"] for h in fhir_server.headers} == {f"rebind.test:{fhir_server.port}"}


def test_the_412_is_the_same_whatever_the_target_did(
    client_with: MakeClient,
    no_prefetch: dict[str, Any],
    fhir_server: FhirServer,
) -> None:
    client = client_with(settings("127.0.0.1:*"))
    answers: list[str] = []

    def answer_with(status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        fhir_server.answer = lambda _path: (status, headers or {}, body)
        response = call(client, dict(no_prefetch), fhir_server.base)
        assert response.status_code == 412
        answers.append(response.text)

    answer_with(401, b'{"resourceType": "OperationOutcome"}')
    answer_with(500, b"Internal Server Error")
    answer_with(200, b"<html>not FHIR</html>")
    answer_with(302, b"", {"Location": "http://169.254.169.254/"})
    answer_with(200, b'{"resourceType": "OperationOutcome", "issue": []}')
    fhir_server.answer = None
    fhir_server.delay = 1.5
    slow = client_with(msgspec.structs.replace(settings("127.0.0.1:*"), read_timeout=0.5))
    response = call(slow, dict(no_prefetch), fhir_server.base)
    answers.append(response.text)
    with socket.socket() as sock:  # nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answers.append(call(client, dict(no_prefetch), f"http://127.0.0.1:{port}/fhir").text)
    answers.append(call(client, dict(no_prefetch), "http://10.9.9.9/fhir").text)
    assert len(set(answers)) == 1, set(answers)
    # Redirects are not followed.
    assert not any("169.254" in path for path in fhir_server.paths())


def test_https_is_verified_against_the_name_while_connecting_to_the_checked_address(
    client_with: MakeClient,
    no_prefetch: dict[str, Any],
    resolver: Callable[..., Resolver],
    tmp_path: Path,
) -> None:
    """The connection goes to the pinned address; TLS still sends the name (SNI) and checks
    the certificate against it, with the clinic's own CA (CRAMP_FHIR_CA_BUNDLE)."""
    authority = Authority(tmp_path)
    resolver(fhir_test=[["127.0.0.1"]], other_test=[["127.0.0.1"]])
    tls = authority.server_context("fhir.test")
    with serve(FhirServer(load_resources(), host="fhir.test", tls=tls)) as server:
        trusting = client_with(
            msgspec.structs.replace(
                settings("fhir.test:*,other.test:*"), ca_bundle=str(authority.pem)
            )
        )
        assert call(trusting, dict(no_prefetch), server.base).status_code == 200
        assert {h["host"] for h in server.headers} == {f"fhir.test:{server.port}"}
        # The same server under another name: its certificate does not name it.
        other = server.base.replace("fhir.test", "other.test")
        assert call(trusting, dict(no_prefetch), other).status_code == 412
        # The public CAs do not know the clinic's CA.
        public = client_with(settings("fhir.test:*"))
        assert call(public, dict(no_prefetch), server.base).status_code == 412
    assert len(server.requests) == 5


def test_a_public_name_with_an_aaaa_record_into_the_clinic_is_refused(
    public_only: Client, no_prefetch: dict[str, Any], resolver: Callable[..., Resolver]
) -> None:
    """Review 20 B1: a public DNS name whose AAAA record is a local-use NAT64 or SIIT
    address of the metadata service or the clinic network."""
    resolver(
        nat64_test=[["64:ff9b:1::a9fe:a9fe"]],
        siit_test=[["::ffff:0:a00:5"]],
        compat_test=[["::10.0.0.5"]],
    )
    for name in ("nat64.test", "siit.test", "compat.test"):
        assert call(public_only, dict(no_prefetch), f"https://{name}/fhir").status_code == 412
    # A public IPv4 address behind the well-known NAT64 prefix is still reachable.
    assert refusal(ipaddress.ip_address("64:ff9b::808:808"), named=False) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111"), named=False) is None


def test_an_entry_allows_its_own_port_only(
    client_with: MakeClient, no_prefetch: dict[str, Any], fhir_server: FhirServer
) -> None:
    """Review 20 B2: an exact host allowed every port (a GET-SSRF and port scanner on that
    host, with the token), and `host:port` never matched. A bare host now means the
    scheme's default port; `host:port` that port; `host:*` any."""
    port = fhir_server.port
    for allowed, status in (
        ("127.0.0.1", 412),
        (f"127.0.0.1:{port + 1 if port < 65535 else port - 1}", 412),
        (f"127.0.0.1:{port}", 200),
        (f"localhost:{port},127.0.0.1:{port}", 200),
        ("127.0.0.1:*", 200),
        (f"*:{port}", 412),  # a wildcard never reaches loopback
    ):
        response = call(client_with(settings(allowed)), dict(no_prefetch), fhir_server.base)
        assert response.status_code == status, allowed
    assert len(fhir_server.requests) == 15
    # The default ports: 80 for http, 443 for https.
    entries = parse_entries("fhir.example.org, [fd00::5]:8443, *.example.net")
    assert policy("fhir.example.org", 80, "http", entries) == "named"
    assert policy("fhir.example.org", 443, "https", entries) == "named"
    assert policy("fhir.example.org", 8080, "http", entries) is None
    assert policy("fd00::5", 8443, "https", entries) == "named"
    assert policy("fd00::5", 443, "https", entries) is None
    assert policy("a.example.net", 443, "https", entries) == "public"
    assert policy("a.example.net", 22, "https", entries) is None
    assert policy("a.example.net", 80, "http", entries) is None  # a wildcard: https only


def test_a_wildcard_allows_https_only(
    client_with: MakeClient,
    no_prefetch: dict[str, Any],
    resolver: Callable[..., Resolver],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Review 20 C15: `*` (and `*.domain`) allowed plain http to any public host, so the
    caller's bearer token went out in clear text. A wildcard now allows https only; plain
    http is for hosts named exactly. The loopback FHIR server stands for a public host
    here (its address is let through as if it were public; nothing leaves the machine)."""
    real_refusal = guard.refusal

    def public_loopback(address: Any, named: bool) -> str | None:
        return None if address.is_loopback else real_refusal(address, named)

    monkeypatch.setattr(guard, "refusal", public_loopback)
    resolver(fhir_public_test=[["127.0.0.1"]])
    authority = Authority(tmp_path)
    with serve(FhirServer(load_resources())) as plain:
        clear = plain.base.replace("127.0.0.1", "fhir.public.test")
        for allowed in ("*:*", "*.public.test:*"):
            client = client_with(settings(allowed))
            with caplog.at_level(logging.INFO, logger="service.cdshooks"):
                response = call(client, dict(no_prefetch), clear)
            assert response.status_code == 412, allowed
            assert response.json()["title"] == DATA_UNAVAILABLE
        # Named exactly, plain http is the operator's choice (a clinic's own server).
        named = client_with(settings("fhir.public.test:*"))
        assert call(named, dict(no_prefetch), clear).status_code == 200
    # Only the named entry reached the server: the token never went out under a wildcard.
    assert len(plain.requests) == 5
    logged = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    http_only = (
        "FHIR fetch refused: plain http is allowed only to a host named exactly in"
        " CRAMP_FHIR_ALLOWED_HOSTS (a wildcard allows https only)"
    )
    assert logged == [http_only, http_only]
    # The same wildcard still fetches over https (certificate checked against the name).
    tls = authority.server_context("fhir.public.test")
    with serve(FhirServer(load_resources(), host="fhir.public.test", tls=tls)) as secure:
        for allowed in ("*:*", "*.public.test:*"):
            client = client_with(
                msgspec.structs.replace(settings(allowed), ca_bundle=str(authority.pem))
            )
            assert call(client, dict(no_prefetch), secure.base).status_code == 200, allowed
    assert len(secure.requests) == 10
