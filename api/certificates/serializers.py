from __future__ import annotations

from rest_framework import serializers

from learning.certificates import files, openbadges
from learning.certificates.models import Certificate


class CertificateCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="course_id")
    title = serializers.CharField(source="course_title")


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate for its holder (and for editors)."""

    status = serializers.ChoiceField(
        choices=[Certificate.Status.VALID, Certificate.Status.REVOKED], read_only=True
    )
    course = CertificateCourseSerializer(source="*", read_only=True)
    holder_name = serializers.CharField(source="holder_display", read_only=True)
    holder_removed = serializers.BooleanField(read_only=True)
    hours = serializers.FloatField(read_only=True)
    verification_url = serializers.SerializerMethodField()
    credential_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(
        help_text="A short-lived signed download URL of the PDF; null while it is rendered."
    )
    replaces = serializers.SerializerMethodField(help_text="Code of the certificate replaced.")
    replaced_by = serializers.SerializerMethodField(help_text="Code of its re-issued successor.")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "status",
            "course",
            "holder_name",
            "holder_removed",
            "instructors",
            "completed_at",
            "issued_at",
            "estimated_minutes",
            "hours",
            "revoked_at",
            "revoke_reason",
            "verification_url",
            "credential_url",
            "pdf_url",
            "replaces",
            "replaced_by",
        ]
        read_only_fields = fields

    def get_verification_url(self, obj) -> str:
        return openbadges.verification_url(obj.code)

    def get_credential_url(self, obj) -> str | None:
        return openbadges.credential_url(obj.code) if obj.is_valid else None

    def get_pdf_url(self, obj) -> str | None:
        if not obj.pdf:
            return None
        return files.signed_url(
            obj.pdf, request=self.context.get("request"), filename=f"certificate-{obj.code}.pdf"
        )

    def get_replaces(self, obj) -> str | None:
        return obj.replaces.code if obj.replaces_id else None

    def get_replaced_by(self, obj) -> str | None:
        successor = getattr(obj, "replaced_by", None)
        return successor.code if successor else None


class VerificationSerializer(serializers.Serializer):
    """What anyone may learn about a code: never the holder's email."""

    code = serializers.CharField()
    status = serializers.ChoiceField(choices=Certificate.Status.choices)
    holder_name = serializers.CharField(allow_null=True)
    holder_removed = serializers.BooleanField()
    course_title = serializers.CharField(allow_null=True)
    instructors = serializers.ListField(child=serializers.CharField())
    completed_at = serializers.DateTimeField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    hours = serializers.FloatField(allow_null=True)
    issuer = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    verification_url = serializers.CharField()
    credential_url = serializers.CharField(allow_null=True)


def verification_data(code: str, certificate: Certificate | None, issuer: str) -> dict:
    if certificate is None:
        return {
            "code": code,
            "status": Certificate.Status.UNKNOWN,
            "holder_name": None,
            "holder_removed": False,
            "course_title": None,
            "instructors": [],
            "completed_at": None,
            "issued_at": None,
            "hours": None,
            "issuer": issuer,
            "revoked_at": None,
            "verification_url": openbadges.verification_url(code),
            "credential_url": None,
        }
    return {
        "code": certificate.code,
        "status": certificate.status,
        "holder_name": None if certificate.holder_removed else certificate.holder_name,
        "holder_removed": certificate.holder_removed,
        "course_title": certificate.course_title,
        "instructors": list(certificate.instructors or []),
        "completed_at": certificate.completed_at,
        "issued_at": certificate.issued_at,
        "hours": certificate.hours,
        "issuer": issuer,
        "revoked_at": certificate.revoked_at,
        "verification_url": openbadges.verification_url(certificate.code),
        "credential_url": openbadges.credential_url(certificate.code)
        if certificate.is_valid and not certificate.holder_removed
        else None,
    }


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)


class ReissueSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why the old certificate is revoked (when it still is valid).",
    )


class CredentialSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="`vc+jwt` (VC-JOSE-COSE, EdDSA over Ed25519).")
    jwt = serializers.CharField(help_text="The signed credential: a compact JWS.")
    credential = serializers.JSONField(help_text="The OpenBadgeCredential (the JWT's payload).")
