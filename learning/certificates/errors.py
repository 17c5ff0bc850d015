"""Domain errors of certificates; the API maps each kind to a problem response status."""

from config.errors import DomainError, ErrorKind


class CertificateError(DomainError):
    code = "certificate_error"


class CertificateNotFound(CertificateError):
    kind = ErrorKind.NOT_FOUND
    code = "certificate_not_found"
    default_message = "There is no certificate with this id."


class CertificatesDisabled(CertificateError):
    kind = ErrorKind.CONFLICT
    code = "certificates_disabled"
    default_message = "This course does not award certificates."


class NotCompleted(CertificateError):
    kind = ErrorKind.CONFLICT
    code = "course_not_completed"
    default_message = "A certificate is issued only for a completed course."


class AlreadyRevoked(CertificateError):
    kind = ErrorKind.CONFLICT
    code = "certificate_already_revoked"
    default_message = "This certificate is already revoked."


class AlreadyReplaced(CertificateError):
    kind = ErrorKind.CONFLICT
    code = "certificate_already_replaced"
    default_message = "This certificate has already been re-issued; act on the newest one."


class HolderRemoved(CertificateError):
    kind = ErrorKind.GONE
    code = "certificate_holder_removed"
    default_message = "The holder of this certificate deleted their account."


class CertificateRevoked(CertificateError):
    kind = ErrorKind.GONE
    code = "certificate_revoked"
    default_message = "This certificate has been revoked."


class PdfNotReady(CertificateError):
    kind = ErrorKind.CONFLICT
    code = "certificate_pdf_not_ready"
    default_message = "The certificate's PDF is still being rendered; try again shortly."


class NotCertificateManager(CertificateError):
    kind = ErrorKind.FORBIDDEN
    code = "not_certificate_manager"
    default_message = "Only editors may revoke or re-issue certificates."
