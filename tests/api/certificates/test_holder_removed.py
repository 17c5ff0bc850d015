"""A deleted account's certificates stay verifiable as "holder removed", without the name,
the PDF or a credential; the account export lists certificates."""

from __future__ import annotations

import pytest

from learning.certificates import services
from tests.factories import DEFAULT_PASSWORD
from tests.factories import certificates as certf

pytestmark = pytest.mark.django_db


def test_export_then_deletion(student, as_user, api_client, django_capture_on_commit_callbacks):
    student.first_name, student.last_name = "Leaving", "Learner"
    student.save()
    certificate = certf.issued(student)
    services.certificate_render_pdf(certificate_id=certificate.pk)
    client = as_user(student)
    export = client.get("/api/v2/me/export/")
    assert export.status_code == 200, export.content
    assert [c["code"] for c in export.json()["certificates"]] == [certificate.code]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/v2/me/", {"password": DEFAULT_PASSWORD})
    assert response.status_code in (200, 204), response.content

    verify = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/").json()
    assert verify["status"] == "valid" and verify["holder_removed"] is True
    assert verify["holder_name"] is None and verify["credential_url"] is None
    page = api_client.get(f"/certificates/verify/{certificate.code}/").content.decode()
    assert "Holder removed" in page and "Leaving Learner" not in page
    credential = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/credential/")
    assert credential.status_code == 410
    assert credential.json()["code"] == "certificate_holder_removed"
