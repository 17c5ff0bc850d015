"""Open Badges 3.0 credentials: signed as JWT-VC with the issuer's Ed25519 key, verified here
by an independent library (PyJWT; we sign with joserfc) with the key published by the issuer
profile endpoint, and by our management command."""

from __future__ import annotations

import io
import json

import jwt
import pytest
from django.core.management import CommandError, call_command

from learning.certificates import services
from tests.factories import certificates as certf

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(student, instructor):
    student.first_name, student.last_name = "Grace", "Hopper"
    student.save()
    return certf.issued(student, instructors=[instructor])


def credential_of(api_client, code):
    response = api_client.get(f"/api/v2/certificates/verify/{code}/credential/")
    assert response.status_code == 200, response.content
    return response.json()


def test_credential_verifies_with_an_independent_library(api_client, certificate, student):
    body = credential_of(api_client, certificate.code)
    token = body["jwt"]
    assert student.email not in json.dumps(body)

    profile_response = api_client.get("/api/v2/certificates/issuer/")
    assert profile_response.status_code == 200
    assert profile_response["Content-Type"] == "application/ld+json"
    profile = profile_response.json()
    assert profile["type"] == ["Profile"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    method = next(m for m in profile["verificationMethod"] if m["id"] == header["kid"])
    assert header["kid"] in profile["assertionMethod"]
    public_key = jwt.PyJWK(method["publicKeyJwk"], algorithm="EdDSA").key

    payload = jwt.decode(token, public_key, algorithms=["EdDSA"])
    assert payload == body["credential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert payload["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"]["id"] == profile["id"]
    subject = payload["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "Grace Hopper"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["name"] == "Certified course"
    assert subject["achievement"]["achievementType"] == "Certificate"
    evidence = payload["evidence"][0]["id"]
    assert evidence.endswith(f"/certificates/verify/{certificate.code}/")
    page = api_client.get(evidence.split("//", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and b'data-status="valid"' in page.content

    # Anything changed after signing fails the independent check.
    head, claims, signature = token.split(".")
    forged = json.loads(jwt.utils.base64url_decode(claims))
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    forged_claims = jwt.utils.base64url_encode(json.dumps(forged).encode()).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged_claims}.{signature}", public_key, algorithms=["EdDSA"])


def test_bare_jwt_with_the_vc_media_type(api_client, certificate):
    response = api_client.get(
        f"/api/v2/certificates/verify/{certificate.code}/credential/",
        HTTP_ACCEPT="application/vc+jwt",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.count(b".") == 2


def test_management_command_verifies_and_refuses(certificate, api_client, editor, tmp_path):
    out = io.StringIO()
    call_command("verify_credential", "--code", certificate.code, stdout=out)
    assert "Signature: valid" in out.getvalue() and "Grace Hopper" in out.getvalue()

    token = credential_of(api_client, certificate.code)["jwt"]
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    out = io.StringIO()
    call_command("verify_credential", "--file", str(path), stdout=out)
    assert f"Certificate {certificate.code}: valid" in out.getvalue()

    head, claims, signature = token.split(".")
    path.write_text(f"{head}.{claims}.{signature[:-4]}AAAA")
    with pytest.raises(CommandError, match="Invalid credential"):
        call_command("verify_credential", "--file", str(path), stdout=io.StringIO())

    services.certificate_revoke(certificate=certificate, by=editor, reason="Wrong person")
    path.write_text(token)
    with pytest.raises(CommandError, match="revoked"):
        call_command("verify_credential", "--file", str(path), stdout=io.StringIO())


def test_revoked_and_unknown_codes_have_no_credential(api_client, certificate, editor):
    unknown = api_client.get("/api/v2/certificates/verify/NOPE/credential/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "certificate_not_found"
    services.certificate_revoke(certificate=certificate, by=editor, reason="Wrong person")
    revoked = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/credential/")
    assert revoked.status_code == 410 and revoked.json()["code"] == "certificate_revoked"


def test_embedded_default_generates_one_development_key(tmp_path, settings):
    from learning.certificates import keys

    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing.pem")
    first = keys.public_jwk()
    assert (tmp_path / "keys" / "signing.pem").stat().st_mode & 0o777 == 0o600
    keys._cached.cache_clear()
    assert keys.public_jwk() == first  # read back, not generated again
    assert keys.public_multibase().startswith("z6Mk")
