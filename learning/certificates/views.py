"""The public verification page (server-rendered, no sign-in): what a code certifies."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from learning.certificates import openbadges, selectors


@require_safe
@cache_control(max_age=60)
def verify_page(request, code: str):
    certificate = selectors.by_code(code)
    context = {
        "code": code,
        "certificate": certificate,
        "status": certificate.status if certificate else "unknown",
        "issuer_name": settings.CERTIFICATE_ISSUER_NAME,
        "credential_url": openbadges.credential_url(certificate.code)
        if certificate and certificate.is_valid and not certificate.holder_removed
        else None,
    }
    return render(
        request,
        "certificates/verify.html",
        context,
        status=200 if certificate else 404,
    )
