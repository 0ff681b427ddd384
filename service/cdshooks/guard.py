"""Which `fhirServer` hosts and addresses this service may connect to (SSRF guard).

A CDS Hooks request names the FHIR server the service is to fetch from, and carries a
bearer token for it. Without a guard anyone who can call the service could make it send
requests (and tokens) to hosts of their choosing: its own loopback interface, the clinic
network, a cloud metadata endpoint. The rules (``CRAMP_FHIR_ALLOWED_HOSTS``):

- an empty allow-list (the default) allows no host: only prefetch is read;
- a host named exactly (``fhir.example.org``, ``10.1.2.3``, ``127.0.0.1``) may have any
  address, private and loopback included: the operator named it;
- ``*.example.org`` allows its sub-domains and ``*`` allows any host, but only over https
  (the bearer token is never sent in clear text to a host the operator did not name) and
  only while every address the name resolves to is public (a wildcard must not reach the
  clinic network); plain http is for hosts named exactly;
- each entry allows one port: the one it names (``fhir.example.org:8443``), else the
  scheme's default (443 for https, 80 for http); ``host:*`` allows any port of that host;
- unspecified (``0.0.0.0``, ``::``) and multicast addresses are never connected to.

Entries are parsed (and refused when they could never match) by
``service.allowlist.parse_entries`` when the settings are read.

Every address a name resolves to is checked, and the connection goes to a checked
address (``Target.address``), so a second DNS answer cannot redirect it (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

from service.allowlist import Entry
from service.errors import CrampError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services: by name, and addresses outside link-local ranges.
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.com",
    }
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# RFC 8215: local-use NAT64, which may reach any IPv4 network the operator chose.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
# RFC 4291 IPv4-compatible (deprecated) and RFC 6052/7915 IPv4-translated (SIIT) addresses.
_COMPATIBLE = ipaddress.ip_network("::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
# Global unicast; every other IPv6 range is special-purpose.
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
# Special-purpose ranges inside 2000::/3 that Python 3.11's ``is_global`` calls global.
_IPV6_RESERVED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "3fff::/20",  # documentation (RFC 9637)
        "2001:db8::/32",  # documentation
        "2001::/23",  # IETF protocol assignments (Teredo is read for its IPv4 first)
    )
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class RefusedError(CrampError):
    """The host may not be contacted; the message says why, for the log only.
    ``suspicious``: refused for its addresses (or a metadata name), not by configuration."""

    def __init__(self, reason: str, *, suspicious: bool = True) -> None:
        super().__init__(reason)
        self.suspicious = suspicious


@dataclass(frozen=True, slots=True)
class Target:
    """A host that passed the checks and the address to connect to."""

    host: str
    port: int
    address: IPAddress


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def policy(host: str, port: int, scheme: str, allowed: tuple[Entry, ...]) -> str | None:
    """``"named"`` (exactly listed), ``"public"`` (a wildcard or ``*``, https only), or
    None, for a host and port reached over ``scheme`` (``http`` or ``https``)."""
    host = host.lower().rstrip(".")
    default = default_port(scheme)
    for entry in allowed:
        if entry.host == host and entry.allows_port(port, default):
            return "named"
    if scheme != "https":
        return None
    for entry in allowed:
        wildcard = entry.host == "*" or (
            entry.host.startswith("*.") and host.endswith(entry.host[1:])
        )
        if wildcard and entry.allows_port(port, default):
            return "public"
    return None


def refusal(address: IPAddress, named: bool) -> str | None:
    """Why this address may not be connected to (None: it may)."""
    if address.is_unspecified or address.is_multicast:
        return "an unspecified or multicast address"
    if named:
        return None
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.version == 6 and address in _LOCAL_NAT64:
        return "a local-use NAT64 address"
    if address.version == 6 and address in _COMPATIBLE and not address.is_loopback:
        return "an IPv4-compatible address (deprecated)"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded, named)
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.version == 4 and address in _CGNAT:
        return "a carrier-grade NAT address"
    if address.is_private:
        return "a private address" if address.version == 4 else "a private or unique-local address"
    if not address.is_global:
        return "a reserved address"
    if address.version == 6 and (
        address not in _GLOBAL_UNICAST or any(address in net for net in _IPV6_RESERVED)
    ):
        return "a reserved address"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, IPv4-translated, 6to4, Teredo or NAT64
    IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def resolve(
    host: str, port: int, scheme: str, allowed: tuple[Entry, ...], timeout: float
) -> Target:
    """The address to connect to for ``host`` and ``port`` over ``scheme``, or
    ``RefusedError``."""
    mode = policy(host, port, scheme, allowed)
    if mode is None:
        if scheme != "https" and policy(host, port, "https", allowed) is not None:
            raise RefusedError(
                "plain http is allowed only to a host named exactly in"
                " CRAMP_FHIR_ALLOWED_HOSTS (a wildcard allows https only)",
                suspicious=False,
            )
        raise RefusedError(
            "the host and port are not in CRAMP_FHIR_ALLOWED_HOSTS", suspicious=False
        )
    named = mode == "named"
    name = host.lower().rstrip(".")
    if not named and name in METADATA_HOSTS:
        raise RefusedError("the host is a cloud metadata service")
    addresses = await _addresses(name, port, timeout)
    if not addresses:
        raise RefusedError("the host name did not resolve", suspicious=False)
    for address in addresses:
        why = refusal(address, named)
        if why is not None:
            raise RefusedError(f"the host resolves to {why}")
    return Target(name, port, addresses[0])


async def _addresses(host: str, port: int, timeout: float) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP),
            timeout,
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found
