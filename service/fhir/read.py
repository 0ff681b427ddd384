"""Read FHIR JSON (a Bundle, a single resource, a JSON array of resources, or ``null``)
into resource entries, with memory bounded by a budget.

Every byte string is counted before it is decoded: its size and its JSON objects and
arrays (an upper bound on what decoding can build), so a document of millions of tiny
objects is refused before it costs anything. Decoding then builds Python objects only for
what the service reads: a Bundle's entries keep their resources as undecoded slices
(``msgspec.Raw``); only the resource types in ``resources.READ`` are decoded, into Structs
that skip every element the service does not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec

from service.decoding import BodyError, check_duplicate_keys, find_duplicate_key
from service.errors import CrampError
from service.fhir import resources as r
from service.limits import MAX_FULL_URL

_NULL = msgspec.Raw(b"null")
# A JSON document: bytes read from the network or a file, or a slice of a larger one.
Json = bytes | bytearray | msgspec.Raw
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
# Bundles inside Bundles (a Bundle of search results) are read this deep.
MAX_DEPTH = 2
_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


class FhirReadError(CrampError):
    """The JSON is not FHIR as the caller requires; ``pointer`` is a JSON Pointer."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(detail)
        self.pointer = pointer
        self.detail = detail


class TooLargeError(CrampError):
    """A budget was exhausted; ``detail`` names the limit (no patient data)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Budget:
    """What may be read for one request: bytes, JSON objects and arrays, and entries,
    counted over every document read for it (the body, prefetch values, fetched pages)."""

    __slots__ = ("bytes", "entries", "max_bytes", "max_entries", "max_objects", "objects")

    def __init__(self, *, max_bytes: int, max_objects: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_objects = max_objects
        self.max_entries = max_entries
        self.bytes = 0
        self.objects = 0
        self.entries = 0

    def charge(self, data: bytes | bytearray) -> None:
        """Count a document before it is decoded; ``TooLargeError`` beyond the budget."""
        self.take_bytes(len(data))
        self.count_objects(data)

    def take_bytes(self, size: int) -> None:
        self.bytes += size
        if self.bytes > self.max_bytes:
            raise TooLargeError(f"more than {self.max_bytes} bytes of FHIR JSON")

    def count_objects(self, data: bytes | bytearray) -> None:
        # Braces inside strings count too: an upper bound, at memchr speed.
        self.objects += data.count(b"{") + data.count(b"[")
        if self.objects > self.max_objects:
            raise TooLargeError(f"more than {self.max_objects} JSON objects and arrays")

    def add_entries(self, count: int) -> None:
        self.entries += count
        if self.entries > self.max_entries:
            raise TooLargeError(f"more than {self.max_entries} resources")


def unbounded() -> Budget:
    """A budget for data bounded elsewhere (values already in memory, tests)."""
    return Budget(max_bytes=2**62, max_objects=2**62, max_entries=2**62)


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource of a type the service reads, and the ``fullUrl`` its Bundle gave it.

    ``resource`` is the decoded Struct, or ``None`` with ``error`` saying why it could
    not be read (elements of the wrong JSON type)."""

    resource_type: str
    resource: r.Resource | None
    full_url: str | None = None
    id: str | None = None
    error: str | None = None
    # ``meta.versionId`` and ``meta.lastUpdated``, when strings: which of two versions of
    # one resource in a record is the later (``convert``).
    version: str | None = None
    updated: str | None = None

    @property
    def reference(self) -> str:
        """``Type/id`` when the resource has an id, else its ``fullUrl``, else its type."""
        if self.id:
            return f"{self.resource_type}/{self.id}"
        return self.full_url or self.resource_type


@dataclass(slots=True)
class Document:
    """What one FHIR JSON document holds."""

    entries: list[Entry] = field(default_factory=list)
    # The top-level resource type; None for `null`, an array, or what is not a resource.
    resource_type: str | None = None
    # The `next` page link of a searchset Bundle.
    next: str | None = None
    # A top-level Bundle's `type` (``searchset``), when it is a string.
    bundle_type: str | None = None

    @property
    def outcome(self) -> bool:
        return self.resource_type == "OperationOutcome"


class _Head(msgspec.Struct, frozen=True, rename="camel", gc=False):
    resource_type: Any = None
    id: Any = None
    # Read leniently: a meta of another JSON type is not read (never loses the resource).
    meta: Any = None


class _Search(msgspec.Struct, frozen=True, gc=False):
    mode: Any = None


class _Link(msgspec.Struct, frozen=True, gc=False):
    relation: Any = None
    url: Any = None


class _BundleEntry(msgspec.Struct, frozen=True, rename="camel", gc=False):
    full_url: Annotated[str, msgspec.Meta(max_length=MAX_FULL_URL)] | None = None
    resource: msgspec.Raw = _NULL
    search: _Search | None = None


class _Bundle(msgspec.Struct, frozen=True, gc=False):
    type: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    entry: list[_BundleEntry] = []
    link: list[_Link] = []


class _LenientBundle(msgspec.Struct, frozen=True, gc=False):
    """A Bundle whose entries did not all decode: each is tried on its own."""

    type: Any = None
    entry: msgspec.Raw = _NULL
    link: msgspec.Raw = _NULL


_head = msgspec.json.Decoder(_Head)
_bundle = msgspec.json.Decoder(_Bundle)
_lenient_bundle = msgspec.json.Decoder(_LenientBundle)
_bundle_entry = msgspec.json.Decoder(_BundleEntry)
_link = msgspec.json.Decoder(_Link)
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_raw_object = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_objects = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])
_QUOTE = b'"'
_typed = {name: msgspec.json.Decoder(kind) for name, kind in r.READ.items()}


def read(data: Json, budget: Budget, *, strict: bool = False) -> Document:
    """The resources in ``data`` (already charged to ``budget`` by the caller).

    Lenient (prefetch values, fetched pages): what is not FHIR JSON gives no entries.
    Strict (request bodies, files): a Bundle entry or resource of the wrong JSON shape
    raises ``FhirReadError`` with its pointer. Invalid JSON always raises
    ``FhirReadError``; an exhausted budget raises ``TooLargeError``."""
    try:
        return _Reader(budget, strict).document(data)
    except RecursionError:
        raise FhirReadError("", "the JSON is nested too deeply") from None


def entries(value: Any) -> list[Entry]:
    """The resources of a JSON value already in memory (tests, examples)."""
    try:
        return read(msgspec.json.encode(value), unbounded()).entries
    except FhirReadError:
        return []


class _Reader:
    __slots__ = ("budget", "bundle_type", "out", "strict")

    def __init__(self, budget: Budget, strict: bool) -> None:
        self.budget = budget
        self.strict = strict
        self.out: list[Entry] = []
        self.bundle_type: str | None = None

    def document(self, data: Json) -> Document:
        start = bytes(memoryview(data)[:64]).lstrip()
        if start.startswith(b"null") and bytes(data).strip() == b"null":
            return Document()
        if start.startswith(b"["):
            items: list[msgspec.Raw] = _syntax(_raw_list.decode, data, "")
            self.budget.add_entries(len(items))
            for index, item in enumerate(items):
                self.resource(item, None, f"/{index}", depth=1)
            return Document(self.out)
        head = self.head(data, "")
        if head is None:
            if self.strict:
                raise FhirReadError("/resourceType", "a FHIR resource needs a resourceType")
            return Document()
        if head.resource_type != "Bundle":
            self.budget.add_entries(1)
            self.typed(data, head, None, "")
            return Document(self.out, resource_type=head.resource_type)
        following = self.bundle(data, "", depth=0)
        return Document(
            self.out, resource_type="Bundle", next=following, bundle_type=self.bundle_type
        )

    def head(self, data: Json, pointer: str) -> _Head | None:
        """The resource's type and id; None (or an error when strict) if not a resource."""
        try:
            head: _Head = _head.decode(data)
        except msgspec.ValidationError:
            if self.strict:
                raise FhirReadError(pointer, "must be a FHIR resource (a JSON object)") from None
            return None
        except _ERRORS as exc:
            raise FhirReadError(pointer, _invalid_json(exc)) from None
        # Without a resourceType it is not a resource: nothing to read.
        return head if isinstance(head.resource_type, str) and head.resource_type else None

    def bundle(self, data: Json, pointer: str, depth: int) -> str | None:
        """Read a Bundle's entries; its ``next`` link."""
        try:
            bundle: _Bundle = _bundle.decode(data)
        except msgspec.ValidationError as exc:
            if self.strict:
                raise _shape_error(exc, pointer) from None
            return self.lenient_bundle(data, pointer, depth)
        if self.strict:
            self.refuse_repeated_envelope_keys(data, pointer)
        if depth == 0:
            self.bundle_type = bundle.type
        items = bundle.entry
        self.budget.add_entries(len(items))
        for index, item in enumerate(items):
            if item.search is None or item.search.mode != "outcome":
                self.resource(
                    item.resource, item.full_url, f"{pointer}/entry/{index}/resource", depth + 1
                )
        return _next_link(bundle.link)

    def refuse_repeated_envelope_keys(self, data: Json, pointer: str) -> None:
        """A Bundle or one of its entries that writes a key twice (a second ``entry`` or
        ``resource``) would silently lose the first value: msgspec keeps the last. The
        Bundle is re-encoded with its entries as objects and every other value as it is
        (one encoding, no other copy); a dropped key leaves fewer quotes, and only then is
        the Bundle scanned for the key and its pointer. (Resources are checked as they
        are read.)"""
        whole = data if isinstance(data, bytes | bytearray) else bytes(data)
        envelope: dict[str, Any] = _raw_object.decode(whole)
        entries = envelope.get("entry")
        if entries is not None:
            try:
                envelope["entry"] = _raw_objects.decode(entries)
            except msgspec.ValidationError:  # not entry objects: the typed decoding says so
                return
        if msgspec.json.encode(envelope).count(_QUOTE) == whole.count(_QUOTE):
            return
        try:
            check_duplicate_keys(whole)
        except BodyError as exc:
            repeated, detail = exc.errors[0]
            raise FhirReadError(pointer + repeated, detail) from None

    def lenient_bundle(self, data: Json, pointer: str, depth: int) -> str | None:
        bundle: _LenientBundle = _syntax(_lenient_bundle.decode, data, pointer)
        if depth == 0 and isinstance(bundle.type, str):
            self.bundle_type = bundle.type
        items = _raw_items(bundle.entry)
        self.budget.add_entries(len(items))
        for index, raw in enumerate(items):
            try:
                item = _bundle_entry.decode(raw)
            except msgspec.ValidationError:
                continue
            if item.search is None or item.search.mode != "outcome":
                self.resource(
                    item.resource, item.full_url, f"{pointer}/entry/{index}/resource", depth + 1
                )
        readable = []
        for raw in _raw_items(bundle.link):
            try:
                readable.append(_link.decode(raw))
            except msgspec.ValidationError:
                continue
        return _next_link(readable)

    def resource(self, raw: msgspec.Raw, full_url: str | None, pointer: str, depth: int) -> None:
        if _is_null(raw):
            return
        head = self.head(raw, pointer)
        if head is None:
            return
        if head.resource_type == "Bundle":
            if depth < MAX_DEPTH:
                self.bundle(raw, pointer, depth)
            return
        self.typed(raw, head, full_url, pointer)

    def typed(self, raw: Json, head: _Head, full_url: str | None, pointer: str) -> None:
        kind: str = head.resource_type
        decoder = _typed.get(kind)
        if decoder is None:
            return  # a type the service does not read
        # A repeated key would silently lose its first value (msgspec keeps the last).
        if self.strict and (repeated := find_duplicate_key(bytes(raw))) is not None:
            raise FhirReadError(pointer + repeated[0], repeated[1])
        rid = head.id if isinstance(head.id, str) and head.id else None
        version, updated = _version(head.meta)
        try:
            resource = decoder.decode(raw)
        except msgspec.ValidationError as exc:
            error = f"not a valid FHIR R4 {kind}: {exc}"
            self.out.append(Entry(kind, None, full_url, rid, error, version, updated))
            return
        self.out.append(Entry(kind, resource, full_url, rid, None, version, updated))


def _version(meta: Any) -> tuple[str | None, str | None]:
    """A resource's ``meta.versionId`` and ``meta.lastUpdated`` (each None unless a
    non-empty string)."""
    if not isinstance(meta, dict):
        return None, None
    version, updated = meta.get("versionId"), meta.get("lastUpdated")
    return (
        version.strip() or None if isinstance(version, str) else None,
        updated.strip() or None if isinstance(updated, str) else None,
    )


def _is_null(raw: msgspec.Raw) -> bool:
    if raw is _NULL:
        return True
    view = memoryview(raw)
    return view.nbytes == 4 and view.tobytes() == b"null"


def _raw_items(value: msgspec.Raw) -> list[msgspec.Raw]:
    """The items of a JSON array (none if it is not one)."""
    try:
        items: list[msgspec.Raw] = _raw_list.decode(value)
    except msgspec.ValidationError:
        return []
    return items


def _syntax(decode: Any, data: Json, pointer: str) -> Any:
    try:
        return decode(data)
    except _ERRORS as exc:
        raise FhirReadError(pointer, _invalid_json(exc)) from None


def _invalid_json(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid UTF-8: {exc.reason}"
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply"
    return f"not valid JSON: {exc}"


def _shape_error(exc: msgspec.ValidationError, base: str) -> FhirReadError:
    message = str(exc)
    match = _MSGSPEC_PATH.search(message)
    path = match.group("path") if match else ""
    detail = message[: match.start()] if match else message
    parts = (p for p in re.split(r"[.\[\]]", path) if p)
    return FhirReadError(base + "".join(f"/{p}" for p in parts), detail)


def _next_link(links: list[_Link]) -> str | None:
    for link in links:
        if link.relation == "next" and isinstance(link.url, str) and link.url:
            return link.url
    return None


def contained(items: list[msgspec.Raw], resource_type: str, wanted: str) -> r.Resource | None:
    """The contained resource of this type whose id is ``wanted``, when it can be read."""
    decoder = _typed[resource_type]
    for raw in items:
        try:
            head = _head.decode(raw)
        except _ERRORS:
            continue
        if head.resource_type == resource_type and head.id == wanted:
            try:
                found: r.Resource = decoder.decode(raw)
            except msgspec.ValidationError:
                return None
            return found
    return None
