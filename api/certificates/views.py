"""Certificates API: the learner's certificates, PDF downloads by signed URL, public
verification by code, Open Badges 3.0 credentials and the issuer profile, and revoking and
re-issuing for editors. Rules live in learning.certificates."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, JsonResponse
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.certificates import serializers as s
from api.throttles import by_ip
from learning.certificates import errors, files, openbadges, selectors, services
from learning.certificates.models import Certificate
from media_pipeline import storage as media_storage

TAGS = ["certificates"]


class PublicView(APIView):
    """Open to anyone, signed in or not; limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [by_ip("certificate_verify_ip")]


def _visible(request, certificate_id: int) -> Certificate:
    certificate = selectors.certificate_for(request.user, certificate_id)
    if certificate is None:
        raise errors.CertificateNotFound()
    return certificate


def _managed(request, certificate_id: int) -> Certificate:
    """A certificate the caller may revoke or re-issue: 404 for those who cannot see it,
    403 ``not_certificate_manager`` for its holder."""
    certificate = _visible(request, certificate_id)
    if not selectors.can_manage(request.user):
        raise errors.NotCertificateManager()
    return certificate


def _detail(request, certificate: Certificate, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.certificate_for(request.user, certificate.pk) or certificate
    return Response(s.CertificateSerializer(fresh, context={"request": request}).data, code)


class MyCertificatesView(ListAPIView):
    serializer_class = s.CertificateSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return selectors.learner_certificates(self.request.user)

    @extend_schema(
        tags=TAGS,
        operation_id="me_certificates_list",
        description="Your certificates, newest first, for the learner dashboard: course, "
        "completion date, hours, the public verification URL, the Open Badges credential "
        "URL and a short-lived signed PDF download URL (`pdf_url`, null while the PDF is "
        "being rendered). Revoked certificates are listed with `status: revoked`.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CertificateDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="certificates_retrieve",
        responses={200: s.CertificateSerializer},
        description="One certificate, for its holder and for editors (404 "
        "`certificate_not_found` for everyone else). `pdf_url` is a signed URL valid for "
        "`CERTIFICATE_URL_SECONDS`.",
    )
    def get(self, request, certificate_id: int):
        certificate = _visible(request, certificate_id)
        return Response(s.CertificateSerializer(certificate, context={"request": request}).data)


class CertificateRevokeView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="certificates_revoke",
        request=s.RevokeSerializer,
        responses={
            200: s.CertificateSerializer,
            403: OpenApiResponse(description="`not_certificate_manager`: not an editor."),
            409: OpenApiResponse(description="`certificate_already_revoked`."),
        },
        description="Revoke a certificate with a reason (editors and admins). Its code stays "
        "verifiable and then says `revoked`.",
    )
    def post(self, request, certificate_id: int):
        certificate = _managed(request, certificate_id)
        data = s.RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.certificate_revoke(
            certificate=certificate, by=request.user, reason=data.validated_data["reason"]
        )
        return _detail(request, certificate)


class CertificateReissueView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="certificates_reissue",
        request=s.ReissueSerializer,
        responses={
            201: s.CertificateSerializer,
            403: OpenApiResponse(description="`not_certificate_manager`: not an editor."),
            409: OpenApiResponse(description="`certificate_already_replaced`."),
            410: OpenApiResponse(description="`certificate_holder_removed`."),
        },
        description="Re-issue a certificate (editors and admins): a new certificate with a "
        "new code, the holder's current name and the course's current title; the old one "
        "is revoked (with `reason`, when it was still valid) and stays verifiable as revoked. "
        "The new PDF is rendered in the background.",
    )
    def post(self, request, certificate_id: int):
        certificate = _managed(request, certificate_id)
        data = s.ReissueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.certificate_reissue(
            certificate=certificate, by=request.user, reason=data.validated_data.get("reason", "")
        )
        return _detail(request, new, status.HTTP_201_CREATED)


class VerifyView(PublicView):
    @extend_schema(
        tags=TAGS,
        operation_id="certificates_verify",
        responses={200: s.VerificationSerializer},
        description="Public verification of a certificate code (no sign-in): `status` is "
        "`valid`, `revoked` or `unknown` (no such code; still 200). Shows the holder's name "
        "as it was at issue (null with `holder_removed` when they deleted their account), "
        "the course, instructors, completion date and hours; never an email address.",
    )
    def get(self, request, code: str):
        certificate = selectors.by_code(code)
        return Response(s.verification_data(code, certificate, settings.CERTIFICATE_ISSUER_NAME))


class VcJwtRenderer(renderers.BaseRenderer):
    """``application/vc+jwt``: the bare compact JWS (errors stay problem JSON)."""

    media_type = openbadges.MEDIA_TYPE
    format = "jwt"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode()
        return renderers.JSONRenderer().render(data)


class CredentialView(PublicView):
    renderer_classes = [renderers.JSONRenderer, VcJwtRenderer]

    @extend_schema(
        tags=TAGS,
        operation_id="certificates_credential",
        responses={
            200: s.CredentialSerializer,
            404: OpenApiResponse(description="`certificate_not_found`: unknown code."),
            410: OpenApiResponse(
                description="`certificate_revoked` or `certificate_holder_removed`."
            ),
        },
        description="The certificate as an Open Badges 3.0 `OpenBadgeCredential` (a W3C "
        "Verifiable Credential 2.0), signed as a JWT (`vc+jwt`, EdDSA/Ed25519). The "
        "header's `kid` is a verification method of the issuer profile "
        "(`/api/v2/certificates/issuer/`), which publishes the public key as a JWK. "
        "`Accept: application/vc+jwt` returns the bare JWT.",
    )
    def get(self, request, code: str):
        certificate = selectors.by_code(code)
        if certificate is None:
            raise errors.CertificateNotFound("There is no certificate with this code.")
        if certificate.holder_removed:
            raise errors.HolderRemoved()
        if not certificate.is_valid:
            raise errors.CertificateRevoked()
        credential = openbadges.credential(certificate)
        token = openbadges.sign(credential)
        if request.accepted_renderer.format == VcJwtRenderer.format:
            return Response(token, content_type=openbadges.MEDIA_TYPE)
        return Response({"format": openbadges.JWT_TYPE, "jwt": token, "credential": credential})


class IssuerProfileView(PublicView):
    throttle_classes: list = []

    @extend_schema(
        tags=TAGS,
        operation_id="certificates_issuer",
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT},
        description="The issuer's Open Badges 3.0 `Profile` (JSON-LD) with the public key "
        "that verifies its credentials, as a JWK (`JsonWebKey`) and as a `Multikey`.",
    )
    def get(self, request):
        response = JsonResponse(openbadges.issuer_profile(), content_type="application/ld+json")
        response["Cache-Control"] = "public, max-age=300"
        return response


class CertificateFileView(PublicView):
    throttle_classes: list = []

    @extend_schema(
        tags=TAGS,
        operation_id="certificates_file",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description="A certificate PDF by signed URL (local storage; with S3 the signed URL "
        "points at the bucket). 403 `invalid_signature` or `signature_expired`.",
    )
    def get(self, request, token: str):
        name, filename = files.file_from_token(token)
        store = files.storage()
        if media_storage.is_s3(store) or not store.exists(name):
            raise exceptions.NotFound("No such file.")
        response = FileResponse(
            store.open(name, "rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=filename,
        )
        response["Cache-Control"] = "private, max-age=300"
        return response
