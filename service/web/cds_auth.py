"""Verification of the EHR's JWT on CDS Hooks requests (CDS Hooks 2.0, "Trusting CDS Clients").

Enabled by ``CRAMP_CDS_JWT_ISSUERS``. A request to ``/cds-services`` or below must carry
``Authorization: Bearer <jwt>`` where the JWT:

- is signed with RS256, RS384, ES256 or ES384 (never ``none`` or HMAC) by a key of its
  issuer's JWKS, chosen by ``kid`` (required, as CDS Hooks 2.0.1 says). ``CRAMP_CDS_JWKS``
  (inline JSON or a file path) is either one JWKS, for a single trusted issuer, or an
  object mapping each issuer to its own JWKS (inline, or the path of a file): a key of
  EHR A never verifies a token that says it comes from EHR B. ``jku`` is never fetched:
  keys are configured (CDS Hooks: services whitelist ``iss`` and ``jku`` per EHR).
- has ``iss`` in the trusted issuers, ``aud`` equal to the service's external URL of the
  endpoint called (``CRAMP_PUBLIC_URL`` + path), ``exp`` in the future but at most
  ``CRAMP_CDS_JWT_MAX_LIFETIME`` seconds away, ``iat`` not in the future, and a ``jti``
  not seen before (a bounded replay cache per process; the oldest ids are dropped first).

All clock checks tolerate ``CRAMP_CDS_JWT_LEEWAY`` seconds of skew.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from service.errors import CrampError
from service.settings import ConfigurationError, Settings

ALGORITHMS = ("RS256", "RS384", "ES256", "ES384")
_EC_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1"}


class CdsAuthError(CrampError):
    """The token is not acceptable; ``reason`` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _load_json(value: str) -> Any:
    text = value if value.lstrip().startswith("{") else Path(value).read_text(encoding="utf-8")
    return json.loads(text)


def load_jwks(value: str) -> dict[str, Any]:
    """A JWKS from inline JSON (starts with ``{``) or from the file the value names."""
    document = _load_json(value)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the CDS JWKS must be a JSON object with a 'keys' list")
    return document


def load_issuer_jwks(value: str, issuers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each trusted issuer's JWKS, from ``CRAMP_CDS_JWKS``: one JWKS (``{"keys": …}``),
    allowed with a single issuer only, or ``{"<iss>": <JWKS or file path>, …}`` naming
    every trusted issuer and no other. ``ValueError`` (or ``OSError``, ``JSONDecodeError``)
    otherwise."""
    trusted = list(dict.fromkeys(issuers))
    document = _load_json(value)
    if not isinstance(document, dict):
        raise ValueError("the CDS JWKS must be a JSON object")
    if "keys" in document:
        jwks = load_jwks(value)
        if len(trusted) > 1:
            # One key set for every issuer would let each EHR sign as any other.
            raise ValueError(
                "with several issuers in CRAMP_CDS_JWT_ISSUERS, give each its own JWKS: "
                'an object {"<issuer>": <JWKS or file path>, ...}'
            )
        return dict.fromkeys(trusted, jwks)
    if set(document) != set(trusted):
        raise ValueError(
            "the issuers of the CDS JWKS object must be exactly those of CRAMP_CDS_JWT_ISSUERS"
        )
    by_issuer: dict[str, dict[str, Any]] = {}
    for issuer, entry in document.items():
        if isinstance(entry, str):
            by_issuer[issuer] = load_jwks(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("keys"), list):
            by_issuer[issuer] = entry
        else:
            raise ValueError("each issuer's CDS JWKS must be a JWKS object or a file path")
    return by_issuer


def _public_keys(jwks: dict[str, Any]) -> dict[str | None, tuple[jwt.PyJWK, str | None]]:
    """kid -> (key, the algorithm the JWK declares, if any)."""
    keys: dict[str | None, tuple[jwt.PyJWK, str | None]] = {}
    for entry in jwks["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue  # symmetric (oct) and unknown key types are never trusted
        if entry.get("use", "sig") != "sig":
            continue
        if "d" in entry:
            raise ValueError("the CDS JWKS must hold public keys only")
        keys[entry.get("kid")] = (jwt.PyJWK.from_dict(entry), entry.get("alg"))
    if not keys:
        raise ValueError("the CDS JWKS has no usable RSA or EC signing key")
    return keys


class ReplayCache:
    """Token ids seen and not yet expired; bounded, oldest dropped first."""

    def __init__(self, size: int, clock: Callable[[], float]) -> None:
        self.size = size
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, issuer: str, jti: str, expires: float) -> bool:
        """Remember the id; False when it was already seen (a replay)."""
        now = self.clock()
        while self._seen:
            key, expiry = next(iter(self._seen.items()))
            if expiry >= now:
                break
            del self._seen[key]
        key = (issuer, jti)
        if key in self._seen and self._seen[key] >= now:
            return False
        self._seen[key] = expires
        self._seen.move_to_end(key)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


class CdsJwtVerifier:
    def __init__(
        self,
        *,
        issuers: Iterable[str],
        jwks: dict[str, Any] | None = None,
        issuer_jwks: dict[str, dict[str, Any]] | None = None,
        public_url: str,
        max_lifetime: int = 300,
        leeway: int = 30,
        jti_cache_size: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuers = frozenset(issuers)
        if issuer_jwks is None:
            if jwks is None or len(self.issuers) > 1:
                raise ValueError("several issuers need one JWKS each (issuer_jwks)")
            issuer_jwks = dict.fromkeys(self.issuers, jwks)
        if set(issuer_jwks) != self.issuers:
            raise ValueError("issuer_jwks must name exactly the trusted issuers")
        # Issuer -> kid -> key: a kid is looked up in the key set of the token's issuer.
        self.keys = {issuer: _public_keys(keys) for issuer, keys in issuer_jwks.items()}
        self.public_url = public_url.rstrip("/")
        self.max_lifetime = max_lifetime
        self.leeway = leeway
        self.clock = clock
        self.replays = ReplayCache(jti_cache_size, clock)
        if not self.issuers or not self.public_url:
            raise ValueError("CDS JWT verification needs issuers and the public URL")

    @classmethod
    def from_settings(cls, settings: Settings) -> CdsJwtVerifier:
        """The verifier; ``ConfigurationError`` (naming ``CRAMP_CDS_JWKS``) when the key
        set cannot be read or holds no usable key."""
        try:
            issuer_jwks = load_issuer_jwks(settings.cds_jwks, settings.cds_jwt_issuers)
            for jwks in issuer_jwks.values():
                _public_keys(jwks)  # refused here, at start, rather than on the first call
        except OSError as exc:
            raise ConfigurationError(
                "CRAMP_CDS_JWKS", f"cannot read the file: {exc.strerror}"
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigurationError("CRAMP_CDS_JWKS", f"not valid JSON ({exc.msg})") from None
        except (ValueError, jwt.PyJWTError) as exc:
            raise ConfigurationError("CRAMP_CDS_JWKS", str(exc)) from None
        return cls(
            issuers=settings.cds_jwt_issuers,
            issuer_jwks=issuer_jwks,
            public_url=settings.public_url,
            max_lifetime=settings.cds_jwt_max_lifetime,
            leeway=settings.cds_jwt_leeway,
            jti_cache_size=settings.cds_jti_cache_size,
        )

    @staticmethod
    def _check_header(header: dict[str, Any]) -> None:
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise CdsAuthError(f"The token's algorithm must be one of {', '.join(ALGORITHMS)}.")
        kid = header.get("kid")
        # CDS Hooks 2.0.1 makes `kid` REQUIRED: a token without one is refused, even when
        # the JWKS holds a single key.
        if not isinstance(kid, str) or not kid:
            raise CdsAuthError("The token's header has no kid (CDS Hooks requires one).")

    def _key(self, header: dict[str, Any], issuer: Any) -> Any:
        algorithm, kid = header["alg"], header["kid"]
        if not isinstance(issuer, str) or issuer not in self.keys:
            raise CdsAuthError("The token's issuer (iss) is not trusted.")
        keys = self.keys[issuer]
        if kid not in keys:
            raise CdsAuthError("The token is not signed by a trusted key (unknown kid).")
        jwk, declared = keys[kid]
        if declared is not None and declared != algorithm:
            raise CdsAuthError("The token's algorithm does not match its key.")
        key = jwk.key
        if algorithm.startswith("RS") and not isinstance(key, rsa.RSAPublicKey):
            raise CdsAuthError("The token's algorithm does not match its key.")
        if algorithm.startswith("ES") and not (
            isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == _EC_CURVES[algorithm]
        ):
            raise CdsAuthError("The token's algorithm does not match its key.")
        return key

    def verify(self, token: str, path: str) -> dict[str, Any]:
        """The verified claims, or ``CdsAuthError``. ``path`` is the endpoint called."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise CdsAuthError("The bearer token is not a JWT.") from None
        self._check_header(header)
        try:
            # Only to choose the issuer's key set; the signature then proves the issuer.
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise CdsAuthError("The token is not valid.") from None
        if "iss" not in unverified:
            raise CdsAuthError("The token has no 'iss' claim.")
        key = self._key(header, unverified["iss"])
        audience = self.public_url + path
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=audience,
                issuer=self.issuers,
                leeway=self.leeway,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise CdsAuthError("The token has expired.") from None
        except jwt.ImmatureSignatureError:
            raise CdsAuthError("The token is not valid yet (iat or nbf in the future).") from None
        except jwt.InvalidAudienceError:
            raise CdsAuthError(f"The token's audience (aud) must be {audience}.") from None
        except jwt.InvalidIssuerError:
            raise CdsAuthError("The token's issuer (iss) is not trusted.") from None
        except jwt.MissingRequiredClaimError as exc:
            raise CdsAuthError(f"The token has no '{exc.claim}' claim.") from None
        except jwt.InvalidSignatureError:
            raise CdsAuthError("The token's signature is not valid.") from None
        except jwt.PyJWTError:
            raise CdsAuthError("The token is not valid.") from None
        now = self.clock()
        if claims["exp"] - now > self.max_lifetime + self.leeway:
            raise CdsAuthError(
                f"The token lives too long (exp at most {self.max_lifetime} s ahead)."
            )
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise CdsAuthError("The token's jti must be a non-empty string.")
        if not self.replays.add(claims["iss"], jti, float(claims["exp"]) + self.leeway):
            raise CdsAuthError("The token was already used (jti replay).")
        return claims
