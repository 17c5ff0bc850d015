from __future__ import annotations

from celery import shared_task
from django.conf import settings

from learning.certificates import services


@shared_task(
    bind=True,
    name="learning.certificates.tasks.render_certificate_pdf",
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def render_certificate_pdf(self, certificate_id: int) -> str:
    """Render and store a certificate's PDF. Any failure is retried with a doubling backoff
    (rendering is idempotent: one fixed file name, written only while the certificate has
    none); the certificate was issued before and is never issued again here."""
    try:
        certificate = services.certificate_render_pdf(certificate_id=certificate_id)
    except Exception as exc:
        limit = settings.CERTIFICATE_PDF_MAX_RETRIES
        if self.request.retries >= limit:
            raise
        countdown = settings.CERTIFICATE_PDF_RETRY_BACKOFF_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=countdown, max_retries=limit) from exc
    return certificate.pdf if certificate is not None else ""
