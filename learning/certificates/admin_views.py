"""Wagtail admin screens for certificates: revoke (with a reason) and re-issue. The listing
itself is a snippet viewset (see ``wagtail_hooks``); both call the same services as the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from config.errors import DomainError
from learning.certificates import selectors, services
from learning.certificates.models import Certificate


def index_url() -> str:
    return reverse("wagtailsnippets_certificates_certificate:list")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept with the certificate; its code then verifies as revoked."),
    )


class ReissueForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Why the current certificate is revoked, when it still is valid."),
    )


class CertificateActionView(WagtailAdminTemplateMixin, FormView):
    template_name = "certificates/admin/action.html"
    header_icon = "doc-full"
    submit_label = ""
    explanation = ""
    danger = False

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_manage(request.user):
            raise PermissionDenied
        self.certificate = get_object_or_404(Certificate, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            certificate=self.certificate,
            action_url=self.request.path,
            cancel_url=index_url(),
            submit_label=self.submit_label,
            explanation=self.explanation,
            danger=self.danger,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.act(form.cleaned_data.get("reason", ""))
        except (DomainError, ValidationError) as exc:
            messages.error(self.request, getattr(exc, "message", None) or str(exc))
            return self.form_invalid(form)
        return redirect(index_url())


class CertificateRevokeView(CertificateActionView):
    form_class = ReasonForm
    page_title = _("Revoke certificate")
    submit_label = _("Revoke")
    explanation = _("The certificate stops being valid. Its code stays verifiable, as revoked.")
    danger = True

    def act(self, reason: str) -> None:
        services.certificate_revoke(
            certificate=self.certificate, by=self.request.user, reason=reason
        )
        messages.success(self.request, _("Certificate %s revoked.") % self.certificate.code)


class CertificateReissueView(CertificateActionView):
    form_class = ReissueForm
    page_title = _("Re-issue certificate")
    submit_label = _("Re-issue")
    explanation = _(
        "A new certificate with a new code, the learner's current name and the course's "
        "current title replaces this one, which is revoked."
    )

    def act(self, reason: str) -> None:
        new = services.certificate_reissue(
            certificate=self.certificate, by=self.request.user, reason=reason
        )
        messages.success(self.request, _("Certificate re-issued as %s.") % new.code)
