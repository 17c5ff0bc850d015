"""Issuing, rendering, revoking, re-issuing and removing the holder of certificates."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from learning.accounts import data_rights
from learning.accounts import services as account_services
from learning.certificates import errors, files, pdf, services
from learning.certificates.models import Certificate
from learning.enrollment.models import Enrollment
from tests.factories import DEFAULT_PASSWORD
from tests.factories import certificates as certf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def test_issue_records_what_was_true_then(student, instructor):
    student.first_name, student.last_name = "Ada", "Byron"
    student.save()
    certificate = certf.issued(student, instructors=[instructor])
    assert certificate.holder_name == "Ada Byron"
    assert certificate.course_title == "Certified course"
    assert certificate.instructors == [instructor.public_name]
    assert certificate.estimated_minutes == 30 and certificate.hours == 0.5
    assert certificate.completed_at == certificate.enrollment.completed_at
    assert certificate.status == "valid"
    # Later changes of name or title do not touch an issued certificate.
    student.first_name = "Augusta"
    student.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Ada Byron"


def test_codes_are_long_random_and_distinct():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    sample = next(iter(codes))
    assert len(sample.replace("-", "")) == 24  # 120 bits, base32


def test_issue_is_idempotent(student):
    certificate = certf.issued(student)
    again, issued = services.certificate_issue(enrollment=certificate.enrollment)
    assert (again.pk, issued) == (certificate.pk, False)
    assert services.certificate_issue_on_completion(certificate.enrollment).pk == certificate.pk
    assert Certificate.objects.count() == 1


def test_the_database_refuses_a_second_issue_for_one_completion(student):
    from django.db import IntegrityError, transaction

    certificate = certf.issued(student)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            code=services.new_code(),
            enrollment=certificate.enrollment,
            user=student,
            course=certificate.course,
            course_title="x",
            completed_at=certificate.completed_at,
            revoked_at=certificate.completed_at,
            revoke_reason="sneaky",
        )


def test_no_certificate_for_courses_without_them_or_unfinished_enrollments(student):
    course, lessons = certf.reading_course(certificate_enabled=False)
    enrollment = certf.complete(student, course, lessons)
    assert services.certificate_issue_on_completion(enrollment) is None
    with pytest.raises(errors.CertificatesDisabled):
        services.certificate_issue(enrollment=enrollment)
    other, _ = certf.reading_course(title="Unfinished")
    active = lf.enroll(student, other)
    assert services.certificate_issue_on_completion(active) is None
    with pytest.raises(errors.NotCompleted):
        services.certificate_issue(enrollment=active)
    assert Certificate.objects.count() == 0


def test_revoke_needs_a_reason_and_happens_once(student, editor):
    from django.core.exceptions import ValidationError

    certificate = certf.issued(student)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, by=editor, reason="  ")
    revoked = services.certificate_revoke(certificate=certificate, by=editor, reason="Fraud")
    assert revoked.status == "revoked" and revoked.revoked_by == editor
    with pytest.raises(errors.AlreadyRevoked):
        services.certificate_revoke(certificate=certificate, by=editor, reason="Again")


def test_reissue_revokes_the_old_and_issues_a_new_code(student, editor):
    certificate = certf.issued(student)
    student.last_name = "Renamed"
    student.save()
    new = services.certificate_reissue(certificate=certificate, by=editor, reason="Name change")
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoke_reason == "Name change"
    assert new.status == "valid" and new.code != certificate.code
    assert new.replaces == certificate and new.issued_by == editor
    assert new.holder_name.endswith("Renamed")
    with pytest.raises(errors.AlreadyReplaced):
        services.certificate_reissue(certificate=certificate, by=editor)
    # The re-issued one can be re-issued in turn (one valid per enrollment at any time).
    newer = services.certificate_reissue(certificate=new, by=editor)
    assert Certificate.objects.valid().get() == newer


def test_rendering_stores_a_pdf_with_the_name_and_code(student, settings):
    student.first_name, student.last_name = "Zoë", "Ødegaard"
    student.save()
    certificate = certf.issued(student)
    rendered = services.certificate_render_pdf(certificate_id=certificate.pk)
    assert rendered.pdf == files.pdf_name(certificate.code) and rendered.pdf_rendered_at
    with files.storage().open(rendered.pdf, "rb") as handle:
        content = handle.read()
    text = certf.pdf_text(content)
    assert "Zoë Ødegaard" in text and certificate.code in text and "Certified course" in text
    assert f"/certificates/verify/{certificate.code}/" in text  # the QR code's target too
    # Rendering again changes nothing (the task may be delivered twice).
    again = services.certificate_render_pdf(certificate_id=certificate.pk)
    assert again.pdf_rendered_at == rendered.pdf_rendered_at


def test_a_name_with_markup_is_text_and_a_very_long_one_still_fits(student):
    content = services.content_of(certf.issued(student))
    for name in ("<b>Bobby</b> & </text><qr url='x'/>", "Wolfeschlegelsteinhausen " * 12):
        text = certf.pdf_text(
            pdf.render(content.__class__(**{**content.__dict__, "holder_name": name}))
        )
        assert " ".join(name.split())[:30] in " ".join(text.split())


def test_a_failing_render_is_retried_and_never_issues_twice(student, monkeypatch, settings):
    from learning.certificates.tasks import render_certificate_pdf

    settings.CERTIFICATE_PDF_RETRY_BACKOFF_SECONDS = 0
    calls = []
    real_render = pdf.render

    def flaky(content):
        calls.append(content.code)
        if len(calls) < 3:
            raise OSError("disk hiccup")
        return real_render(content)

    monkeypatch.setattr(pdf, "render", flaky)
    certificate = certf.issued(student)
    render_certificate_pdf.apply(args=[certificate.pk])  # retried in process (eager)
    certificate.refresh_from_db()
    assert len(calls) == 3 and set(calls) == {certificate.code}
    assert certificate.pdf and Certificate.objects.count() == 1
    assert services.certificate_issue_on_completion(certificate.enrollment).pk == certificate.pk
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("retries", [2, 5])
def test_rendering_gives_up_after_the_retries_and_keeps_the_certificate(
    retries, student, monkeypatch, settings
):
    from learning.certificates.tasks import render_certificate_pdf

    settings.CERTIFICATE_PDF_RETRY_BACKOFF_SECONDS = 0
    settings.CERTIFICATE_PDF_MAX_RETRIES = retries
    calls = []

    def broken(content):
        calls.append(1)
        raise pdf.RenderError("broken template")

    monkeypatch.setattr(pdf, "render", broken)
    certificate = certf.issued(student)
    render_certificate_pdf.apply(args=[certificate.pk])
    assert len(calls) == 1 + retries  # the first try and every retry
    certificate.refresh_from_db()
    assert certificate.pdf == "" and certificate.status == "valid"
    assert Certificate.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_make_one_certificate(student):
    course, _ = certf.reading_course()
    # Completed directly, not through progress: completing through the service commits a
    # `course_completed` task, and a worker running for other tests would issue it first.
    enrollment = lf.enroll(student, course)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=Enrollment.Status.COMPLETED, completed_at=timezone.now()
    )
    start = threading.Barrier(8)

    def issue(_):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=30)
            certificate, issued = services.certificate_issue(
                enrollment=Enrollment.objects.select_related("user", "course").get(pk=enrollment.pk)
            )
            return certificate.pk, issued
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(issue, range(8)))
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert {pk for pk, _ in outcomes} == {Certificate.objects.get().pk}
    assert sum(1 for _, issued in outcomes if issued) == 1


def test_export_lists_certificates_and_deletion_keeps_them_as_holder_removed(student, editor):
    certificate = certf.issued(student)
    services.certificate_render_pdf(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    pdf_name = certificate.pdf
    exported = data_rights.export_user_data(student)["certificates"]
    assert [row["code"] for row in exported] == [certificate.code]
    assert exported[0]["holder_name"] == certificate.holder_name

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        account_services.account_delete(user=student, password=DEFAULT_PASSWORD)
    certificate.refresh_from_db()
    assert certificate.holder_removed and certificate.holder_name == ""
    assert certificate.holder_display == "Holder removed"
    assert certificate.pdf == "" and not files.storage().exists(pdf_name)
    assert certificate.status == "valid"  # still a true statement about a completion
    with pytest.raises(errors.HolderRemoved):
        services.certificate_reissue(certificate=certificate, by=editor)


def test_certificates_stay_out_of_wagtails_reference_index(student):
    """A certificate is a per-learner record: issuing thousands must not grow the "usage"
    index of the course page (nor write to it inside the issuing transaction)."""
    from wagtail.models import ReferenceIndex

    assert not ReferenceIndex.is_indexed(Certificate)
    before = ReferenceIndex.objects.count()
    certf.issued(student)
    assert ReferenceIndex.objects.count() == before
