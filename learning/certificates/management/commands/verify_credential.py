"""Verify a signed Open Badges credential (a ``vc+jwt``): by certificate code, from a file or
from standard input. Checks the EdDSA signature against this issuer's key (or a JWK given
with ``--jwk``), the header, the credential's type and context, and, for our own
certificates, that the code is still valid."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from learning.certificates import openbadges, selectors


class Command(BaseCommand):
    help = "Verify a signed Open Badges 3.0 credential (JWT-VC)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--code", help="Sign and verify the credential of this certificate.")
        source.add_argument("--file", help="A file holding the JWT ('-' for standard input).")
        parser.add_argument("--jwk", help="Verify with this public JWK (JSON) instead.")

    def handle(self, *args, code=None, file=None, jwk=None, **options):
        if code:
            certificate = selectors.by_code(code)
            if certificate is None:
                raise CommandError(f"No certificate has the code {code}.")
            token = openbadges.signed_credential(certificate)
        else:
            handle = sys.stdin if file == "-" else open(file)  # noqa: SIM115
            with handle:
                token = handle.read().strip()
        try:
            credential = openbadges.verify(token, json.loads(jwk) if jwk else None)
        except (openbadges.InvalidCredential, ValueError) as exc:
            raise CommandError(f"Invalid credential: {exc}") from exc
        identifier = credential.get("credentialSubject", {}).get("identifier", [{}])[0]
        lines = [
            "Signature: valid (EdDSA, Ed25519)",
            f"Issuer: {credential['issuer']['id']}",
            f"Achievement: {credential['credentialSubject']['achievement']['name']}",
            f"Holder: {identifier.get('identityHash', '')}",
            f"Valid from: {credential.get('validFrom')}",
        ]
        evidence = credential.get("evidence") or [{}]
        code_in = str(evidence[0].get("id", "")).rstrip("/").rsplit("/", 1)[-1]
        certificate = selectors.by_code(code_in) if code_in else None
        if certificate is not None:
            lines.append(f"Certificate {certificate.code}: {certificate.status}")
            if not certificate.is_valid:
                self.stdout.write("\n".join(lines))
                raise CommandError("The certificate has been revoked.")
        self.stdout.write("\n".join(lines))
