"""Certificates in the Wagtail admin: editors list, filter, inspect, revoke and re-issue;
nobody creates, edits or deletes certificates by hand; others are turned away."""

from __future__ import annotations

import pytest

from learning.certificates.models import Certificate
from tests.factories import certificates as certf

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/certificates/certificate/"


@pytest.fixture
def certificate(student, instructor):
    return certf.issued(student, instructors=[instructor])


def test_editor_lists_filters_and_inspects(client, editor, certificate):
    client.force_login(editor)
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert certificate.code in text and "Revoke" in text and "Re-issue" in text
    assert client.get(LIST, {"status": "revoked"}).content.decode().count(certificate.code) == 0
    assert certificate.code in client.get(LIST, {"code": certificate.code[:9]}).content.decode()
    inspect = client.get(f"{LIST}inspect/{certificate.pk}/")
    assert inspect.status_code == 200 and certificate.holder_name in inspect.content.decode()
    # No hand-made certificates, no edits, no deletions.
    for url in (f"{LIST}add/", f"{LIST}edit/{certificate.pk}/", f"{LIST}delete/{certificate.pk}/"):
        assert client.get(url).status_code in (302, 403, 404)


def test_editor_revokes_and_reissues(client, editor, certificate):
    client.force_login(editor)
    form = client.get(f"/admin/certificate-actions/{certificate.pk}/revoke/")
    assert form.status_code == 200
    missing = client.post(f"/admin/certificate-actions/{certificate.pk}/revoke/", {"reason": ""})
    assert missing.status_code == 200  # the form again, with its error
    certificate.refresh_from_db()
    assert certificate.is_valid
    done = client.post(
        f"/admin/certificate-actions/{certificate.pk}/revoke/", {"reason": "Exam fraud"}
    )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoke_reason == "Exam fraud"
    again = client.post(f"/admin/certificate-actions/{certificate.pk}/reissue/", {"reason": ""})
    assert again.status_code == 302
    new = Certificate.objects.get(replaces=certificate)
    assert new.is_valid and new.code != certificate.code


@pytest.mark.parametrize("role", ["student", "instructor", "other_instructor"])
def test_others_are_turned_away(role, request, client, certificate):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code in (302, 403)
    response = client.post(
        f"/admin/certificate-actions/{certificate.pk}/revoke/", {"reason": "Nope"}
    )
    assert response.status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.is_valid and Certificate.objects.count() == 1
