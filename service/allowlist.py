"""``CRAMP_FHIR_ALLOWED_HOSTS`` entries: ``host``, ``host:port``, ``host:*``, ``[IPv6]``,
``[IPv6]:port``, ``*.domain`` and ``*`` (docs/operations.md, "FHIR servers"). Parsed when
the settings are read, so that an entry that could never match (a URL, a bad port) stops
the service at start instead of leaving every fetch refused."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# An entry's port: any.
ANY_PORT = 0


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``CRAMP_FHIR_ALLOWED_HOSTS`` entry: a host (``*``, ``*.domain`` or a name or
    address, lower case, IPv6 without brackets) and its port (None: the scheme's default
    port; ``ANY_PORT``: any)."""

    host: str
    port: int | None = None

    def allows_port(self, port: int, default: int) -> bool:
        if self.port == ANY_PORT:
            return True
        return port == (default if self.port is None else self.port)


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def parse_entry(text: str) -> Entry:
    """An allow-list entry, or ``ValueError`` saying why it could never match."""
    entry = text.strip().lower()
    if "/" in entry or "@" in entry or "?" in entry or "#" in entry:
        raise ValueError("the entry is not a host (write `host` or `host:port`, no URL)")
    host, port_text = entry, None
    if entry.startswith("["):
        host, close, rest = entry[1:].partition("]")
        if not close or (rest and not rest.startswith(":")):
            raise ValueError("the entry is not a host (an IPv6 address is written `[addr]`)")
        port_text = rest[1:] if rest else None
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError("the entry is not an IPv6 address") from None
    elif entry.count(":") > 1:
        try:
            ipaddress.IPv6Address(entry)  # a bare IPv6 address: the default port
        except ValueError:
            raise ValueError(
                "the entry is not a host (an IPv6 address is written `[addr]`)"
            ) from None
    elif ":" in entry:
        host, port_text = entry.split(":", 1)
    host = host.rstrip(".")
    port: int | None = None
    if port_text is not None:
        if port_text == "*":
            port = ANY_PORT
        elif port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536:
            port = int(port_text)
        else:
            raise ValueError("the entry has no valid port (1-65535, or `*` for any)")
    if host != "*" and ":" not in host:
        name = host[2:] if host.startswith("*.") else host
        if not name or not all(_LABEL.match(label) for label in name.split(".")):
            raise ValueError("the entry is not a host name, address, `*.domain` or `*`")
    return Entry(host, port)


def parse_entries(text: str) -> tuple[Entry, ...]:
    """Every entry; ``ValueError`` naming the first that could never match by its
    position (not its text: settings errors never repeat values)."""
    items = [item for item in text.split(",") if item.strip()]
    parsed = []
    for number, item in enumerate(items, 1):
        try:
            parsed.append(parse_entry(item))
        except ValueError as exc:
            raise ValueError(f"entry {number} of {len(items)}: {exc}") from None
    return tuple(parsed)
