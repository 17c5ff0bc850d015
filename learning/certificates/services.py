"""Certificate writes: issue on completion, render the PDF, revoke, re-issue, remove the holder.

Issuing and rendering are separate steps. Issuing inserts the certificate row (its code, and
what was true at issue) once per enrollment completion, guarded by a database constraint, so
a task delivered twice or two workers racing end with one certificate. Rendering the PDF runs
after commit in its own task, retried on failure; it overwrites one fixed file name, so a
retry never makes a second certificate or a second file.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from cms.models import CourseInstructor, CourseLesson
from learning.certificates import errors, files, openbadges, pdf
from learning.certificates.models import Certificate
from learning.enrollment.models import Enrollment

logger = logging.getLogger(__name__)

CODE_BYTES = 15  # 120 random bits, 24 URL-safe characters (in 4-character groups)


def new_code() -> str:
    """An unguessable verification code, easy to read aloud: ``XXXX-XXXX-...`` (base32)."""
    import base64

    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _instructor_names(course_id: int) -> list[str]:
    rows = (
        CourseInstructor.objects.filter(course_id=course_id)
        .select_related("user")
        .order_by("sort_order", "pk")
    )
    return [row.user.public_name for row in rows]


def _estimated_minutes(course_id: int) -> int:
    total = CourseLesson.objects.filter(
        course_id=course_id, is_live=True, optional=False
    ).aggregate(minutes=Sum("estimated_minutes"))["minutes"]
    return int(total or 0)


def _snapshot(enrollment: Enrollment) -> dict:
    course = enrollment.course
    return {
        "holder_name": enrollment.user.public_name,
        "course_title": course.title,
        "instructors": _instructor_names(course.pk),
        "estimated_minutes": _estimated_minutes(course.pk),
    }


def _queue_render(certificate: Certificate) -> None:
    from learning.certificates.tasks import render_certificate_pdf

    pk = certificate.pk
    transaction.on_commit(lambda: render_certificate_pdf.delay(pk))


def certificate_issue(*, enrollment: Enrollment) -> tuple[Certificate, bool]:
    """The certificate of a completed enrollment, issued now if it has none (idempotent:
    one per enrollment completion, also under concurrent calls). Returns it and whether it
    was issued by this call; the PDF is rendered by a task after commit."""
    if enrollment.status != Enrollment.Status.COMPLETED or enrollment.completed_at is None:
        raise errors.NotCompleted()
    if not enrollment.course.certificate_enabled:
        raise errors.CertificatesDisabled()
    existing = _first_issue(enrollment)
    if existing is not None:
        return existing, False
    fields = _snapshot(enrollment)
    try:
        with transaction.atomic():
            certificate = Certificate(
                code=new_code(),
                enrollment=enrollment,
                user=enrollment.user,
                course=enrollment.course,
                completed_at=enrollment.completed_at,
                **fields,
            )
            certificate.full_clean(validate_constraints=False)
            certificate.save(force_insert=True)
            _queue_render(certificate)
    except IntegrityError:
        # Another worker issued it first (the constraint decided): theirs is the one.
        existing = _first_issue(enrollment)
        if existing is None:
            raise
        return existing, False
    return certificate, True


def _first_issue(enrollment: Enrollment) -> Certificate | None:
    return Certificate.objects.filter(enrollment=enrollment, replaces__isnull=True).first()


def certificate_issue_on_completion(enrollment: Enrollment) -> Certificate | None:
    """A ``COURSE_COMPLETED_HANDLERS`` entry (runs in a worker after a learner completed a
    course): issue the certificate when the course awards one."""
    enrollment = Enrollment.objects.select_related("user", "course").get(pk=enrollment.pk)
    if not enrollment.course.certificate_enabled:
        return None
    if enrollment.status != Enrollment.Status.COMPLETED:
        return None
    certificate, issued = certificate_issue(enrollment=enrollment)
    if issued:
        logger.info("Issued certificate %s for enrollment %s", certificate.pk, enrollment.pk)
    return certificate


def content_of(certificate: Certificate) -> pdf.CertificateContent:
    return pdf.CertificateContent(
        code=certificate.code,
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        instructors=tuple(certificate.instructors or ()),
        completed_at=certificate.completed_at,
        hours=certificate.hours,
        verification_url=openbadges.verification_url(certificate.code),
        issuer_name=settings.CERTIFICATE_ISSUER_NAME,
        signatory=settings.CERTIFICATE_SIGNATORY,
    )


def certificate_render_pdf(*, certificate_id: int) -> Certificate | None:
    """Render and store the PDF of a certificate that has none yet (idempotent). Failures
    propagate so the task retries; the certificate itself is untouched by them."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or certificate.pdf or certificate.holder_removed:
        return certificate
    content = pdf.render(content_of(certificate))
    name = files.save_pdf(certificate.code, content)
    updated = Certificate.objects.filter(
        pk=certificate.pk, pdf="", holder_removed_at__isnull=True
    ).update(pdf=name, pdf_rendered_at=timezone.now())
    if not updated:  # the holder was removed meanwhile: drop what was just written
        certificate.refresh_from_db()
        if certificate.pdf != name:
            files.delete_pdf(name)
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a valid certificate with a reason. Its code stays verifiable, as revoked."""
    reason = (reason or "").strip()
    if not reason:
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": "Say why the certificate is revoked."})
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise errors.AlreadyRevoked()
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revoke_reason = reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return locked


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by, reason: str = "") -> Certificate:
    """Issue a new certificate (new code, current name and course title) in place of
    ``certificate``, revoking it first if it is still valid. The old code stays verifiable
    as revoked; the new certificate's PDF is rendered after commit."""
    locked = (
        Certificate.objects.select_for_update()
        .select_related("enrollment__user", "enrollment__course")
        .get(pk=certificate.pk)
    )
    if Certificate.objects.filter(replaces=locked).exists():
        raise errors.AlreadyReplaced()
    if locked.holder_removed:
        raise errors.HolderRemoved()
    if locked.revoked_at is None:
        locked = certificate_revoke(
            certificate=locked, by=by, reason=(reason or "").strip() or "Re-issued."
        )
    new = Certificate(
        code=new_code(),
        enrollment=locked.enrollment,
        user=locked.user,
        course=locked.course,
        completed_at=locked.completed_at,
        replaces=locked,
        issued_by=by,
        **_snapshot(locked.enrollment),
    )
    new.full_clean(validate_constraints=False)
    new.save(force_insert=True)
    _queue_render(new)
    return new


def holder_remove(user) -> None:
    """Account deletion (a data-rights eraser): certificates stay verifiable, as "holder
    removed", without the name; their PDFs (which show the name) are deleted."""
    rows = Certificate.objects.filter(user=user, holder_removed_at__isnull=True)
    names = [name for name in rows.values_list("pdf", flat=True) if name]
    rows.update(holder_name="", pdf="", holder_removed_at=timezone.now())
    for name in names:
        transaction.on_commit(lambda name=name: files.delete_pdf(name))
