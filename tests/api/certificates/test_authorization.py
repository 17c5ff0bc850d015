"""Who may do what with certificates: every endpoint x every role. Denied calls change
nothing. Plus query budgets of the list and detail endpoints."""

from __future__ import annotations

import pytest

from learning.certificates.models import Certificate
from tests.factories import UserFactory
from tests.factories import certificates as certf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db

CERT_ROLES = (*ROLES, "unverified")
MANAGERS = {"editor", "admin_user"}


@pytest.fixture
def unverified(db):
    return UserFactory(email="unverified@example.com", email_verified_at=None)


@pytest.fixture
def certificate(student, instructor):
    return certf.issued(student, instructors=[instructor])


def as_role(role, request, api_client, as_user):
    return client_for(role, request, api_client, as_user)


def snapshot(certificate):
    certificate.refresh_from_db()
    return (
        Certificate.objects.count(),
        certificate.revoked_at,
        certificate.revoke_reason,
        certificate.holder_name,
    )


@pytest.mark.parametrize("role", CERT_ROLES)
def test_my_certificates(role, request, api_client, as_user, certificate, other_student):
    client = as_role(role, request, api_client, as_user)
    response = client.get("/api/v2/me/certificates/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == ([certificate.code] if role == "student" else [])


@pytest.mark.parametrize("role", CERT_ROLES)
def test_certificate_detail(role, request, api_client, as_user, certificate):
    client = as_role(role, request, api_client, as_user)
    response = client.get(f"/api/v2/certificates/{certificate.pk}/")
    if role == "anonymous":
        assert response.status_code == 401
    elif role == "student" or role in MANAGERS:
        assert response.status_code == 200
        assert response.json()["code"] == certificate.code
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "certificate_not_found"


@pytest.mark.parametrize("role", CERT_ROLES)
def test_revoke(role, request, api_client, as_user, certificate):
    client = as_role(role, request, api_client, as_user)
    before = snapshot(certificate)
    response = client.post(
        f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": "Plagiarism"}
    )
    expected = {"anonymous": 401, "student": 403}.get(role, 200 if role in MANAGERS else 404)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["status"] == "revoked"
        assert snapshot(certificate)[1] is not None
    else:
        assert snapshot(certificate) == before
    if expected == 403:
        assert response.json()["code"] == "not_certificate_manager"


@pytest.mark.parametrize("role", CERT_ROLES)
def test_reissue(role, request, api_client, as_user, certificate):
    client = as_role(role, request, api_client, as_user)
    before = snapshot(certificate)
    response = client.post(f"/api/v2/certificates/{certificate.pk}/reissue/", {"reason": "Typo"})
    expected = {"anonymous": 401, "student": 403}.get(role, 201 if role in MANAGERS else 404)
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["replaces"] == certificate.code
        assert Certificate.objects.count() == 2
    else:
        assert snapshot(certificate) == before


@pytest.mark.parametrize("role", CERT_ROLES)
def test_public_verification_credential_issuer_and_page(
    role, request, api_client, as_user, certificate, student
):
    client = as_role(role, request, api_client, as_user)
    for url in (
        f"/api/v2/certificates/verify/{certificate.code}/",
        f"/api/v2/certificates/verify/{certificate.code.lower()}/",
        f"/api/v2/certificates/verify/{certificate.code}/credential/",
        "/api/v2/certificates/issuer/",
        f"/certificates/verify/{certificate.code}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])
        assert student.email.encode() not in response.content
    verify = client.get(f"/api/v2/certificates/verify/{certificate.code}/").json()
    assert verify["status"] == "valid"
    assert "email" not in str(verify)


@pytest.mark.parametrize("role", CERT_ROLES)
def test_signed_pdf_url_is_the_credential(role, request, api_client, as_user, certificate):
    from learning.certificates import files, services

    services.certificate_render_pdf(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    url = files.signed_url(certificate.pdf)
    client = as_role(role, request, api_client, as_user)
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    path = url.removeprefix("http://127.0.0.1:8000")
    tampered = client.get(path[:-6] + ("AAAAA/" if path[-6:] != "AAAAA/" else "BBBBB/"))
    assert tampered.status_code == 403 and tampered.json()["code"] == "invalid_signature"


def test_expired_pdf_url_is_refused(certificate, api_client, settings):
    from learning.certificates import files, services

    services.certificate_render_pdf(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    settings.CERTIFICATE_URL_SECONDS = -1
    url = files.signed_url(certificate.pdf).removeprefix("http://127.0.0.1:8000")
    response = api_client.get(url)
    assert response.status_code == 403 and response.json()["code"] == "signature_expired"


def test_bad_input(certificate, editor, as_user):
    client = as_user(editor)
    response = client.post(f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": " "})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert client.post("/api/v2/certificates/999999/revoke/", {"reason": "x"}).status_code == 404
    client.post(f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": "Fraud"})
    again = client.post(f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": "Fraud"})
    assert again.status_code == 409 and again.json()["code"] == "certificate_already_revoked"
    client.post(f"/api/v2/certificates/{certificate.pk}/reissue/", {})
    twice = client.post(f"/api/v2/certificates/{certificate.pk}/reissue/", {})
    assert twice.status_code == 409 and twice.json()["code"] == "certificate_already_replaced"


# --- Query budgets -----------------------------------------------------------------------------


def test_list_query_budget_does_not_grow(student, as_user, django_assert_max_num_queries):
    client = as_user(student)
    certf.issued(student)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v2/me/certificates/").json()["count"] == 1
    for n in range(4):
        course, _ = certf.reading_course(title=f"More {n}")
        certf.issued(student, course)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v2/me/certificates/").json()["count"] == 5


def test_detail_and_verify_query_budgets(
    certificate, student, as_user, api_client, django_assert_max_num_queries
):
    client = as_user(student)
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v2/certificates/{certificate.pk}/").status_code == 200
    with django_assert_max_num_queries(1):
        assert api_client.get(f"/api/v2/certificates/verify/{certificate.code}/").status_code == 200
    with django_assert_max_num_queries(1):
        assert api_client.get(f"/certificates/verify/{certificate.code}/").status_code == 200
    with django_assert_max_num_queries(1):
        response = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/credential/")
        assert response.status_code == 200
