"""System checks: the certificate template, fonts and signing key must be usable when the
process starts, not discovered broken when the first learner completes a course."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template


@register(Tags.templates)
def check_certificate_template(app_configs=None, **kwargs):
    name = settings.CERTIFICATE_PDF_TEMPLATE
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"The certificate PDF template {name!r} does not exist.",
                hint="Set CERTIFICATE_PDF_TEMPLATE to a template under templates/, e.g. "
                "'certificates/certificate_pdf.xml'.",
                id="certificates.E001",
            )
        ]
    except TemplateSyntaxError as exc:
        return [
            Error(
                f"The certificate PDF template {name!r} has a syntax error: {exc}",
                id="certificates.E001",
            )
        ]
    return []


@register()
def check_certificate_fonts(app_configs=None, **kwargs):
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    found = []
    for role, path in settings.CERTIFICATE_FONTS.items():
        variable = f"CERTIFICATE_FONT_{role.upper()}"
        if not path or not Path(path).is_file():
            found.append(
                Error(
                    f"The certificate font {role!r} is missing: {path!r}.",
                    hint=f"Set {variable} to a TrueType (.ttf) file.",
                    id="certificates.E002",
                )
            )
            continue
        try:
            TTFont(f"check-{role}", path)
        except (TTFError, OSError) as exc:
            found.append(
                Error(
                    f"The certificate font {role!r} ({path}) cannot be used: {exc}",
                    hint=f"Set {variable} to a TrueType (.ttf) file.",
                    id="certificates.E002",
                )
            )
    return found


@register()
def check_certificate_signing_key(app_configs=None, **kwargs):
    from learning.certificates import keys

    if not settings.CERTIFICATE_SIGNING_KEY:
        return []  # the embedded default generates one on first use
    try:
        keys._load_pem(settings.CERTIFICATE_SIGNING_KEY, "CERTIFICATE_SIGNING_KEY")
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Generate one with `openssl genpkey -algorithm ed25519`.",
                id="certificates.E003",
            )
        ]
    return []
