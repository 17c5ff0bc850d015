"""Open Badges 3.0: each certificate as a signed ``OpenBadgeCredential`` (a W3C Verifiable
Credential 2.0), secured as a JWT (VC-JOSE-COSE, ``typ: vc+jwt``, EdDSA over Ed25519).

The JWT's payload is the credential itself; the header's ``kid`` names the issuer profile's
verification method, whose public key the issuer profile endpoint publishes as a JWK.
"""

from __future__ import annotations

import contextlib
import warnings

from django.conf import settings
from django.urls import reverse
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from learning.certificates import keys

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
JWT_TYPE = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def issuer_id() -> str:
    return _url("v2:certificate-issuer")


def key_id() -> str:
    return f"{issuer_id()}#{settings.CERTIFICATE_SIGNING_KEY_ID}"


def verification_url(code: str) -> str:
    return _url("certificate-verify-page", code=code)


def credential_url(code: str) -> str:
    return _url("v2:certificate-credential", code=code)


def issuer_profile() -> dict:
    """The issuer's OB 3.0 ``Profile`` with the key that verifies its credentials."""
    return {
        "@context": CONTEXTS,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.CERTIFICATE_ISSUER_NAME,
        "url": settings.SITE_URL + "/",
        "verificationMethod": [
            {
                "id": key_id(),
                "type": "JsonWebKey",
                "controller": issuer_id(),
                "publicKeyJwk": keys.public_jwk(),
            },
            {
                "id": f"{issuer_id()}#{settings.CERTIFICATE_SIGNING_KEY_ID}-multikey",
                "type": "Multikey",
                "controller": issuer_id(),
                "publicKeyMultibase": keys.public_multibase(),
            },
        ],
        "assertionMethod": [key_id()],
    }


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def credential(certificate) -> dict:
    """The unsigned ``OpenBadgeCredential`` of a certificate. The learner appears by name
    (an unhashed ``name`` identifier), never by email."""
    course_url = _url("v2:course", course_id=certificate.course_id)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }
        ],
        "achievement": {
            "id": course_url,
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": certificate.course_title,
            "description": f"Completed the course {certificate.course_title}.",
            "criteria": {"narrative": "Complete every required lesson of the course."},
            "creator": {"id": issuer_id(), "type": ["Profile"]},
        },
        "activityEndDate": _iso(certificate.completed_at),
    }
    if certificate.estimated_minutes:
        subject["creditsEarned"] = certificate.hours
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{_uuid_of(certificate.code)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title}: certificate of completion",
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings.CERTIFICATE_ISSUER_NAME,
        },
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": subject,
        "evidence": [
            {
                "id": verification_url(certificate.code),
                "type": ["Evidence"],
                "name": "Verification page",
                "narrative": "The issuer's public page for this certificate.",
            }
        ],
    }


def _uuid_of(code: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/certificates/{code}"))


@contextlib.contextmanager
def _eddsa():
    """RFC 9864 prefers the fully specified ``Ed25519`` algorithm name, but Open Badges and
    VC-JOSE verifiers expect ``EdDSA`` (with Ed25519 keys, the same signature): keep it,
    without joserfc's deprecation warning on every credential."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        yield


def _signing_jwk() -> OKPKey:
    from cryptography.hazmat.primitives import serialization

    pem = keys.private_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return OKPKey.import_key(pem)


def sign(payload: dict) -> str:
    """``payload`` as a compact JWS: ``{"alg": "EdDSA", "typ": "vc+jwt", "kid": ...}``."""
    import json

    header = {"alg": "EdDSA", "typ": JWT_TYPE, "kid": key_id()}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    with _eddsa():
        return jws.serialize_compact(header, body, _signing_jwk(), algorithms=["EdDSA"])


def signed_credential(certificate) -> str:
    return sign(credential(certificate))


class InvalidCredential(Exception):
    pass


def verify(token: str, public_jwk: dict | None = None) -> dict:
    """Our own check of a signed credential (the management command uses it): the signature
    against the issuer key (or ``public_jwk``), the header, and the credential's shape.
    Returns the credential."""
    import json

    key = OKPKey.import_key(public_jwk or keys.public_jwk())
    try:
        with _eddsa():
            compact = jws.deserialize_compact(token, key, algorithms=["EdDSA"])
    except (JoseError, ValueError) as exc:
        raise InvalidCredential(f"The signature does not verify: {exc}") from exc
    header = compact.protected
    if header.get("typ") != JWT_TYPE:
        raise InvalidCredential(f"Unexpected typ {header.get('typ')!r}.")
    data = json.loads(compact.payload)
    if "OpenBadgeCredential" not in data.get("type", []):
        raise InvalidCredential("Not an OpenBadgeCredential.")
    if data.get("@context", [])[:1] != CONTEXTS[:1]:
        raise InvalidCredential("The first context is not the VC 2.0 context.")
    return data
