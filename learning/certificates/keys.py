"""The Ed25519 key that signs Open Badges credentials.

``CERTIFICATE_SIGNING_KEY`` (PEM, PKCS#8) in every real deployment; production refuses to
start without it. The embedded default generates a development key into
``CERTIFICATE_SIGNING_KEY_FILE`` (under ``var/``) the first time one is needed, created
exclusively so two processes starting at once end up with the same key.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _load_pem(pem: str, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.replace("\\n", "\n").encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{source} is not a readable PEM private key ({exc}).") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{source} is not an Ed25519 key.")
    return key


def _generated(path: Path) -> Ed25519PrivateKey:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written whole to a private temporary file, then linked into place: a process
        # starting at the same moment either wins the link or reads the winner's full key.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _load_pem(path.read_text(), str(path))


def _load() -> Ed25519PrivateKey:
    if settings.CERTIFICATE_SIGNING_KEY:
        return _load_pem(settings.CERTIFICATE_SIGNING_KEY, "CERTIFICATE_SIGNING_KEY")
    if settings.CERTIFICATE_SIGNING_KEY_FILE:
        return _generated(Path(settings.CERTIFICATE_SIGNING_KEY_FILE))
    raise ImproperlyConfigured("CERTIFICATE_SIGNING_KEY is not set.")


@functools.lru_cache(maxsize=4)
def _cached(key_pem: str, key_file: str | None) -> Ed25519PrivateKey:
    return _load()


def private_key() -> Ed25519PrivateKey:
    return _cached(settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_KEY_FILE)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_raw() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk() -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_raw())}


def public_multibase() -> str:
    """``z`` + base58btc(0xed01 + key): the Multikey form of the public key."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    data = b"\xed\x01" + public_raw()
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, rest = divmod(number, 58)
        encoded = alphabet[rest] + encoded
    leading = len(data) - len(data.lstrip(b"\0"))
    return "z" + "1" * leading + encoded
