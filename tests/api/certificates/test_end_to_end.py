"""End to end with a real Celery worker: a learner completes a course, the worker issues the
certificate and renders its PDF, the PDF is fetched through its signed URL, the public API
and page verify the code, an editor revokes and re-issues it."""

from __future__ import annotations

import time

import pytest

from learning.certificates.models import Certificate
from tests.factories import certificates as certf
from tests.factories import learning as lf
from tests.support.processes import output_tail


def wait_for(query, *, timeout: float = 90, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = query()
        if found:
            return found
        time.sleep(0.25)
    printed = output_tail(worker) if worker is not None else ""
    raise AssertionError(f"the worker did not do it in time\n{printed}")


def rendered(**filters):
    return lambda: Certificate.objects.filter(**filters).exclude(pdf="").first()


def fetch_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    return body


@pytest.mark.django_db(transaction=True)
def test_completion_to_certificate_to_revocation_and_reissue(
    worker, student, instructor, editor, as_user, api_client
):
    student.first_name, student.last_name = "Zoë", "Lindqvist"
    student.save()
    course, lessons = certf.reading_course(instructors=[instructor], title="Data Wrangling")
    lf.enroll(student, course)
    learner = as_user(student)
    for lesson_id in lessons:
        response = learner.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/complete/")
        assert response.status_code == 200, response.content

    certificate = wait_for(rendered(user=student, course=course))
    assert Certificate.objects.filter(user=student).count() == 1

    # The learner's dashboard lists it with a signed PDF URL.
    mine = learner.get("/api/v2/me/certificates/").json()
    assert mine["count"] == 1
    item = mine["results"][0]
    assert item["code"] == certificate.code and item["status"] == "valid"
    assert item["holder_name"] == "Zoë Lindqvist"
    assert item["course"] == {"id": course.pk, "title": "Data Wrangling"}
    assert item["instructors"] == [instructor.public_name]
    assert item["estimated_minutes"] == 30 and item["hours"] == 0.5
    content = fetch_pdf(api_client, item["pdf_url"])  # the signed URL needs no sign-in
    text = certf.pdf_text(content)
    assert "Zoë Lindqvist" in text and "Data Wrangling" in text and certificate.code in text
    # A tampered signed URL opens nothing.
    assert api_client.get(item["pdf_url"][:-3] + "xyz/").status_code == 403

    # Public verification: API and page, without signing in, never the email.
    verify = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/")
    assert verify.status_code == 200
    assert verify.json()["status"] == "valid"
    assert verify.json()["holder_name"] == "Zoë Lindqvist"
    page = api_client.get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200
    assert b'data-status="valid"' in page.content and "Zoë Lindqvist" in page.content.decode()
    for body in (verify.content, page.content):
        assert student.email.encode() not in body

    # An editor revokes it: both say revoked.
    revoked = as_user(editor).post(
        f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": "Issued by mistake"}
    )
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    verify = api_client.get(f"/api/v2/certificates/verify/{certificate.code}/").json()
    assert verify["status"] == "revoked"
    page = api_client.get(f"/certificates/verify/{certificate.code}/")
    assert b'data-status="revoked"' in page.content

    # Re-issue: a new code, valid, rendered by the worker; the old code stays revoked.
    reissued = as_user(editor).post(f"/api/v2/certificates/{certificate.pk}/reissue/", {})
    assert reissued.status_code == 201, reissued.content
    new = reissued.json()
    assert new["code"] != certificate.code and new["replaces"] == certificate.code
    assert api_client.get(f"/api/v2/certificates/verify/{new['code']}/").json()["status"] == (
        "valid"
    )
    assert api_client.get(f"/api/v2/certificates/verify/{certificate.code}/").json()["status"] == (
        "revoked"
    )
    wait_for(rendered(code=new["code"]))
    detail = learner.get(f"/api/v2/certificates/{new['id']}/").json()
    assert new["code"] in certf.pdf_text(fetch_pdf(api_client, detail["pdf_url"]))

    # Unknown codes are unknown, on the API and the page.
    unknown = api_client.get("/api/v2/certificates/verify/NOPE-NOPE-NOPE/")
    assert unknown.status_code == 200 and unknown.json()["status"] == "unknown"
    page = api_client.get("/certificates/verify/NOPE-NOPE-NOPE/")
    assert page.status_code == 404 and b'data-status="unknown"' in page.content


@pytest.mark.django_db(transaction=True)
def test_quiz_pass_to_certificate_to_revocation_over_http(
    worker, student, instructor, editor, as_user, api_client
):
    """The whole acceptance chain, one learner, over HTTP only: enroll, start an attempt, save
    answers, reload, submit, graded, the quiz lesson and the course complete, the worker issues
    the certificate, its PDF is fetched, public verification says valid, an editor revokes it,
    verification says revoked."""
    from tests.factories import assessment as af

    student.first_name, student.last_name = "Amara", "Okafor"
    student.save()
    course, section, quiz_id = af.quiz_course(instructors=[instructor], title="Statistics 101")
    learner = as_user(student)
    assert learner.post(f"/api/v2/courses/{course.pk}/enrollment/").status_code == 201

    attempts = f"/api/v2/courses/{course.pk}/lessons/{quiz_id}/attempts/"
    started = learner.post(attempts)
    assert started.status_code == 201, started.content
    attempt = started.json()
    answers = af.right_answers(section, quiz_id)
    first = dict(list(answers.items())[:2])
    saved = learner.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": first})
    assert saved.status_code == 200, saved.content
    reloaded = learner.get(f"/api/v2/attempts/{attempt['id']}/").json()
    assert {q["id"] for q in reloaded["questions"] if q["answer"] is not None} == set(first)
    assert all(q["result"] is None for q in reloaded["questions"])  # nothing graded yet

    rest = dict(list(answers.items())[2:])
    graded = learner.post(f"/api/v2/attempts/{attempt['id']}/submit/", {"answers": rest})
    assert graded.status_code == 200, graded.content
    assert graded.json()["status"] == "submitted" and graded.json()["passed"] is True
    outline = learner.get(f"/api/v2/courses/{course.pk}/").json()
    assert outline["my_enrollment"]["percent_complete"] == 100
    assert outline["my_enrollment"]["status"] == "completed"

    certificate = wait_for(rendered(user=student, course=course), worker=worker)
    mine = learner.get("/api/v2/me/certificates/").json()
    assert mine["count"] == 1 and mine["results"][0]["code"] == certificate.code
    text = certf.pdf_text(fetch_pdf(api_client, mine["results"][0]["pdf_url"]))
    assert "Amara Okafor" in text and "Statistics 101" in text

    verify_url = f"/api/v2/certificates/verify/{certificate.code}/"
    assert api_client.get(verify_url).json()["status"] == "valid"
    revoked = as_user(editor).post(
        f"/api/v2/certificates/{certificate.pk}/revoke/", {"reason": "Academic misconduct"}
    )
    assert revoked.status_code == 200, revoked.content
    assert api_client.get(verify_url).json()["status"] == "revoked"
    assert Certificate.objects.filter(user=student).count() == 1
