"""Strict JSON request bodies: decode, refuse duplicate keys, report every error at once.

Shared by the REST and CDS Hooks handlers, the batch lines (HTTP and CLI) and the
``check`` command, so that a body fails the same way wherever it is sent, with a JSON
Pointer (RFC 6901) to each field at fault. Free of web-framework imports: batch runs on
Dask and Spark workers.

- Decoding is msgspec's, typed and strict, in one pass.
- Duplicate keys (``{"medications": [...], "medications": []}``): msgspec keeps the last
  one silently. A decoded body re-encoded without the dropped keys has fewer ``"``
  characters than the body, so a body whose count of ``"`` is unchanged cannot hold a
  duplicate. The typed value is re-encoded first (two byte counts and one encode: about
  8 us for the bench body); a body with fields the schema does not know (FHIR resources)
  is decoded generically and re-encoded; only a body whose count still differs is
  scanned for the duplicate and its pointer. (The count could only be evened out by a
  ``"`` written as ``\\u0022``, so a body with that escape is always scanned.)
- A body that does not match the schema gets every error (up to ``MAX_ERRORS``), not only
  the first msgspec meets: the decoded JSON is walked along the type, and each part is
  checked on its own.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import msgspec
import msgspec.inspect as mi

from service.errors import CrampError

T = TypeVar("T")

NOT_JSON = "The request body is not valid JSON"
NOT_SCHEMA = "The request body does not match the schema"
DUPLICATE_KEY = "The request body has a duplicate key"
# Errors reported for one body at most; a body with more gets the first ones.
MAX_ERRORS = 50

_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_INDEX = re.compile(r"\[(\d+)\]")
_QUOTE = b'"'
_BACKSLASH = b"\\"
_ESCAPED_QUOTE = b"\\u0022"
_encode = msgspec.json.Encoder().encode
_decode_any = msgspec.json.Decoder().decode

FieldErrors = list[tuple[str, str]]


class BodyError(CrampError):
    """The body cannot be used: ``title`` and ``(pointer, detail)`` for each fault."""

    def __init__(self, title: str, errors: FieldErrors) -> None:
        super().__init__(title)
        self.title = title
        self.errors = errors


def json_pointer(path: str) -> str:
    """``.medications[1].text`` (a msgspec path) -> ``/medications/1/text``; root -> ``""``."""
    path = _INDEX.sub(r".\1", path).strip(".")
    if not path:
        return ""
    return "/" + "/".join(escape(part) for part in path.split("."))


def escape(token: str) -> str:
    """One JSON Pointer reference token (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def split_message(message: str) -> tuple[str, str]:
    """A msgspec error message -> (pointer, detail without the ``- at `$...``` part)."""
    match = _MSGSPEC_PATH.search(message)
    if match is None:
        return "", message
    return json_pointer(match.group("path")), message[: match.start()]


def describe(errors: FieldErrors, whole: str = "(the body)") -> str:
    """``/labs/0/value: Expected `float`, got `str`; ... (and 2 more)``: a problem's
    ``detail``, specific to its errors (each is also listed with its pointer)."""
    named = "; ".join(f"{pointer or whole}: {detail}" for pointer, detail in errors[:3])
    return named + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")


def syntax_error(exc: BaseException) -> tuple[str, str]:
    """(pointer, detail) of a body that is not JSON at all."""
    if isinstance(exc, UnicodeDecodeError):
        return "", f"invalid UTF-8 at byte {exc.start}"
    if isinstance(exc, RecursionError):
        return "", "JSON is nested too deeply"
    return split_message(str(exc))


class StrictDecoder(Generic[T]):
    """Decodes bodies of one type; raises ``BodyError`` with every fault it finds."""

    def __init__(self, kind: type[T]) -> None:
        self.kind = kind
        self._decode = msgspec.json.Decoder(kind).decode
        # A typed value re-encodes to the body's quotes only when no default is written
        # back (every Struct omits defaults); otherwise the generic decoding is compared.
        self._typed_canonical = all(
            info.cls.__struct_config__.omit_defaults for info in _structs(mi.type_info(kind))
        )

    def decode(self, body: bytes | bytearray) -> T:
        try:
            value = self._decode(body)
        except msgspec.ValidationError as exc:
            raise BodyError(NOT_SCHEMA, schema_errors(body, self.kind, exc)) from None
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise BodyError(NOT_JSON, [syntax_error(exc)]) from None
        if _BACKSLASH in body and _ESCAPED_QUOTE in body:
            check_duplicate_keys(body)
            return value
        quotes = body.count(_QUOTE)
        # The typed value first (cheapest); when it dropped fields the schema does not
        # know (FHIR resources carry many), the generic decoding, which keeps them; the
        # full scan only when that differs too.
        if self._typed_canonical and _encode(value).count(_QUOTE) == quotes:
            return value
        if _encode(_decode_any(body)).count(_QUOTE) != quotes:
            check_duplicate_keys(body)
        return value


def _structs(info: mi.Type, seen: set[type] | None = None) -> Iterator[mi.StructType]:
    """Every Struct type reachable from ``info`` (each once)."""
    seen = set() if seen is None else seen
    if isinstance(info, mi.StructType):
        if info.cls in seen:
            return
        seen.add(info.cls)
        yield info
        for field in info.fields:
            yield from _structs(field.type, seen)
        return
    for name in ("type", "item_type", "key_type", "value_type"):
        inner = getattr(info, name, None)
        if isinstance(inner, mi.Type):
            yield from _structs(inner, seen)
    for name in ("types", "item_types"):
        for inner in getattr(info, name, ()) or ():
            yield from _structs(inner, seen)


# ---- duplicate keys ----------------------------------------------------------------------


class _Duplicated(dict[str, Any]):
    """A JSON object in which ``key`` was written more than once."""

    key = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    marked = _Duplicated(found)
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _first_duplicate(node: Any, pointer: str) -> str | None:
    if isinstance(node, _Duplicated):
        return f"{pointer}/{escape(node.key)}"
    if isinstance(node, dict | list):
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            found = _first_duplicate(child, f"{pointer}/{escape(str(key))}")
            if found is not None:
                return found
    return None


def find_duplicate_key(body: bytes) -> tuple[str, str] | None:
    """``(pointer, detail)`` of the first key an object repeats, or None; the full scan only
    when the quote count says there may be one (see the module's docstring)."""
    if not (_BACKSLASH in body and _ESCAPED_QUOTE in body):
        try:
            if _encode(_decode_any(body)).count(_QUOTE) == body.count(_QUOTE):
                return None
        except (msgspec.DecodeError, RecursionError):
            return None  # not JSON: the caller's decoder says so
    try:
        check_duplicate_keys(body)
    except BodyError as exc:
        return exc.errors[0]
    return None


def check_duplicate_keys(body: bytes | bytearray) -> None:
    """Raise ``BodyError`` (with the duplicate's pointer) if an object repeats a key."""
    try:
        document = json.loads(body, object_pairs_hook=_pairs)
    except RecursionError:
        raise BodyError(NOT_JSON, [("", "JSON is nested too deeply")]) from None
    except ValueError:
        return  # not JSON for the standard library either; msgspec already read it
    pointer = _first_duplicate(document, "")
    if pointer is not None:
        key = pointer.rsplit("/", 1)[1]
        raise BodyError(
            DUPLICATE_KEY,
            [(pointer, f"the key `{key}` appears more than once in one object; send it once")],
        )


# ---- every schema error --------------------------------------------------------------------


def schema_errors(
    body: bytes | bytearray, kind: Any, first: msgspec.ValidationError
) -> FieldErrors:
    """Every schema error of ``body`` (which msgspec refused with ``first``)."""
    found = split_message(str(first))
    try:
        document = _decode_any(body)
    except (msgspec.DecodeError, RecursionError):
        return [found]  # broken further on: the first error is all that can be said
    errors: FieldErrors = []
    _collect(document, kind, "", errors)
    covered = any(p == found[0] or p.startswith(found[0] + "/") for p, _ in errors)
    if not covered:
        errors.insert(0, found)
    return errors[:MAX_ERRORS]


def _leaf(value: Any, annotation: Any, pointer: str, errors: FieldErrors) -> bool:
    """Check ``value`` against ``annotation`` as a whole; record the error. True if valid."""
    try:
        msgspec.convert(value, annotation)
    except msgspec.ValidationError as exc:
        inner, detail = split_message(str(exc))
        allowed = _literal_values(annotation)
        if allowed and not inner:
            detail = "Expected one of " + ", ".join(f"`{v}`" for v in allowed)
        errors.append((pointer + inner, detail))
        return False
    return True


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return ()


@functools.cache
def _holds_raw(struct: type[msgspec.Struct]) -> bool:
    """Whether ``struct`` or a Struct inside it has a ``msgspec.Raw`` field."""
    structs = _structs(mi.type_info(struct))
    return any(_is_raw(field.type) for info in structs for field in info.fields)


def _is_raw(info: mi.Type) -> bool:
    if isinstance(info, mi.RawType):
        return True
    inner = [getattr(info, name, None) for name in ("type", "item_type", "key_type", "value_type")]
    inner += [*(getattr(info, "types", ()) or ()), *(getattr(info, "item_types", ()) or ())]
    return any(
        isinstance(i, mi.Type) and not isinstance(i, mi.StructType) and _is_raw(i) for i in inner
    )


def _unwrapped(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _collect(value: Any, annotation: Any, pointer: str, errors: FieldErrors) -> None:
    if len(errors) >= MAX_ERRORS:
        return
    origin = typing.get_origin(annotation)
    base = typing.get_args(annotation)[0] if origin is typing.Annotated else annotation
    base_origin = typing.get_origin(base)
    if base is msgspec.Raw or (
        base_origin in (types.UnionType, typing.Union)
        and any(_unwrapped(option) is msgspec.Raw for option in typing.get_args(base))
    ):
        return  # any JSON: kept undecoded, read later by its own reader
    if base_origin is dict and isinstance(value, dict):
        key_type, value_type = typing.get_args(base)
        if key_type is str:
            for key, item in value.items():
                _collect(item, value_type, f"{pointer}/{escape(key)}", errors)
            return
    if base_origin in (types.UnionType, typing.Union):
        options = [option for option in typing.get_args(base) if option is not type(None)]
        if value is None and len(options) < len(typing.get_args(base)):
            return
        if len(options) == 1:
            _collect(value, options[0], pointer, errors)
        else:
            _leaf(value, annotation, pointer, errors)
        return
    if isinstance(base, type) and issubclass(base, msgspec.Struct) and isinstance(value, dict):
        before = len(errors)
        for field in msgspec.structs.fields(base):
            if field.encode_name in value:
                child = f"{pointer}/{escape(field.encode_name)}"
                _collect(value[field.encode_name], field.type, child, errors)
            elif field.required:  # pointed at the object, as JSON Schema's `required` is
                errors.append((pointer, f"Object missing required field `{field.encode_name}`"))
        # The fields are fine: check the object as a whole (its own rules), unless it holds
        # undecoded JSON, which only decoding makes (msgspec's own error covers it then).
        if len(errors) == before and not _holds_raw(base):
            _leaf(value, annotation, pointer, errors)
        return
    if base_origin is list and isinstance(value, list):
        # The list itself (type and length), then each item on its own.
        shape = typing.Annotated[(list[Any], *typing.get_args(annotation)[1:])]
        if origin is typing.Annotated and not _leaf(value, shape, pointer, errors):
            return
        (item_type,) = typing.get_args(base)
        for index, item in enumerate(value):
            _collect(item, item_type, f"{pointer}/{index}", errors)
        return
    _leaf(value, annotation, pointer, errors)
