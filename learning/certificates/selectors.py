"""Certificate reads, shaped for their callers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from learning.certificates.models import Certificate

MANAGE_PERMISSION = "certificates.manage_certificates"


def can_manage(user) -> bool:
    """Editors and admins revoke and re-issue certificates and see everyone's."""
    return bool(user and user.is_authenticated and user.is_active) and user.has_perm(
        MANAGE_PERMISSION
    )


def _shaped(rows: QuerySet[Certificate]) -> QuerySet[Certificate]:
    return rows.select_related("replaces", "replaced_by")


def learner_certificates(user) -> QuerySet[Certificate]:
    """The learner's dashboard: their certificates, newest first (revoked ones too, marked)."""
    return _shaped(Certificate.objects.filter(user=user)).order_by("-issued_at", "-pk")


def certificate_for(user, certificate_id: int) -> Certificate | None:
    """A certificate its holder or a certificate manager may see; None otherwise."""
    if user is None or not user.is_authenticated:
        return None
    rows = _shaped(Certificate.objects.filter(pk=certificate_id))
    if not can_manage(user):
        rows = rows.filter(user=user)
    return rows.first()


def by_code(code: str) -> Certificate | None:
    return _shaped(Certificate.objects.filter(code=code.strip().upper())).first()


def managed_certificates(*, q: str = "", status: str = "", course_id=None):
    """Every certificate for the admin listing: search by code, name, course."""
    rows = Certificate.objects.select_related("user", "replaced_by")
    if q:
        rows = rows.filter(
            Q(code__icontains=q.strip())
            | Q(holder_name__icontains=q)
            | Q(course_title__icontains=q)
        )
    if status == Certificate.Status.VALID:
        rows = rows.filter(revoked_at__isnull=True)
    elif status == Certificate.Status.REVOKED:
        rows = rows.filter(revoked_at__isnull=False)
    if course_id:
        rows = rows.filter(course_id=course_id)
    return rows.order_by("-issued_at", "-pk")


def certificates_export(user) -> list[dict]:
    def iso(value):
        return value.isoformat() if value else None

    return [
        {
            "code": row.code,
            "course_id": row.course_id,
            "course_title": row.course_title,
            "holder_name": row.holder_name,
            "instructors": row.instructors,
            "completed_at": iso(row.completed_at),
            "estimated_minutes": row.estimated_minutes,
            "issued_at": iso(row.issued_at),
            "status": row.status,
            "revoked_at": iso(row.revoked_at),
            "revoke_reason": row.revoke_reason,
            "replaces": row.replaces.code if row.replaces_id else None,
        }
        for row in Certificate.objects.filter(user=user)
        .select_related("replaces")
        .order_by("issued_at", "pk")
    ]
