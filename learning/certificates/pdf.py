"""Certificate PDFs: a Django template (``CERTIFICATE_PDF_TEMPLATE``) describes the layout as a
small XML document (see ``templates/certificates/certificate_pdf.xml``); this module draws it
with ReportLab on a landscape A4 page, with the TrueType fonts of ``CERTIFICATE_FONTS`` and a
vector QR code (segno) linking to the verification page.

The template and fonts are checked at start (:mod:`learning.certificates.checks`), so a
missing file is a configuration error, not a failure at issue time.
"""

from __future__ import annotations

import functools
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import get_template
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Frame, Paragraph, Spacer

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#0f766e")
MUTED = colors.HexColor("#6b7280")
FONT_NAMES = {"regular": "CertSans", "bold": "CertSans-Bold", "italic": "CertSans-Italic"}


class RenderError(Exception):
    """The layout could not be rendered (a broken template)."""


@dataclass(frozen=True)
class CertificateContent:
    code: str
    holder_name: str
    course_title: str
    instructors: tuple[str, ...]
    completed_at: object
    hours: float
    verification_url: str
    issuer_name: str
    signatory: str


@functools.lru_cache(maxsize=8)
def register_fonts(regular: str, bold: str, italic: str) -> None:
    """Load the TrueType fonts (once per set of paths); raises on missing or broken files."""
    for role, path in (("regular", regular), ("bold", bold), ("italic", italic)):
        pdfmetrics.registerFont(TTFont(FONT_NAMES[role], path))
    pdfmetrics.registerFontFamily(
        FONT_NAMES["regular"],
        normal=FONT_NAMES["regular"],
        bold=FONT_NAMES["bold"],
        italic=FONT_NAMES["italic"],
        boldItalic=FONT_NAMES["bold"],
    )


def _fonts() -> None:
    fonts = settings.CERTIFICATE_FONTS
    register_fonts(fonts["regular"], fonts["bold"], fonts["italic"])


def _styles(scale: float = 1.0) -> dict[str, ParagraphStyle]:
    regular, bold, italic = (FONT_NAMES[k] for k in ("regular", "bold", "italic"))

    def style(name, font, size, color=INK, space_after=6):
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size * scale,
            leading=size * scale * 1.25,
            alignment=TA_CENTER,
            textColor=color,
            spaceAfter=space_after * scale,
        )

    return {
        "eyebrow": style("eyebrow", bold, 12, ACCENT, 4),
        "title": style("title", bold, 34, INK, 8),
        "lead": style("lead", italic, 13, MUTED, 4),
        "name": style("name", bold, 30, ACCENT, 8),
        "course": style("course", bold, 20, INK, 6),
        "body": style("body", regular, 12, INK, 4),
        "small": style("small", regular, 10, MUTED, 2),
    }


def layout(content: CertificateContent) -> ET.Element:
    """The template rendered and parsed: the certificate's layout document."""
    markup = get_template(settings.CERTIFICATE_PDF_TEMPLATE).render(
        {
            "code": content.code,
            "holder_name": content.holder_name,
            "course_title": content.course_title,
            "instructors": list(content.instructors),
            "completed_at": content.completed_at,
            "hours": f"{content.hours:g}" if content.hours else "",
            "verification_url": content.verification_url,
            "issuer_name": content.issuer_name,
            "signatory": content.signatory,
        }
    )
    try:
        root = ET.fromstring(markup.strip())  # noqa: S314 (values escaped by the template)
    except ET.ParseError as exc:
        raise RenderError(f"{settings.CERTIFICATE_PDF_TEMPLATE} is not valid XML: {exc}") from exc
    if root.tag != "certificate":
        raise RenderError(f"{settings.CERTIFICATE_PDF_TEMPLATE} must have a <certificate> root.")
    return root


def _inline(element: ET.Element) -> str:
    """The paragraph markup inside a ``<text>`` element (ReportLab's inline tags)."""
    inner = (element.text or "").replace("&", "&amp;").replace("<", "&lt;")
    for child in element:
        inner += ET.tostring(child, encoding="unicode")
    return inner.strip()


def _draw_qr(canvas, url: str, caption: str, *, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m")
    modules = qr.matrix
    count = len(modules)
    cell = size / count
    canvas.setFillColor(colors.white)
    canvas.rect(x - 4, y - 4, size + 8, size + 8, stroke=0, fill=1)
    canvas.setFillColor(INK)
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                canvas.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, 0, 1)
    canvas.linkURL(url, (x, y, x + size, y + size), relative=0)
    if caption:
        canvas.setFont(FONT_NAMES["regular"], 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(x + size / 2, y - 14, caption)


def _draw_signature(canvas, name: str, role: str, *, x: float, y: float, width: float) -> None:
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.line(x, y, x + width, y)
    canvas.setFillColor(INK)
    canvas.setFont(FONT_NAMES["bold"], 11)
    canvas.drawCentredString(x + width / 2, y - 15, name)
    if role:
        canvas.setFont(FONT_NAMES["regular"], 9)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(x + width / 2, y - 28, role)


def _story(flow: list[ET.Element], styles: dict[str, ParagraphStyle]) -> list:
    story = []
    for element in flow:
        if element.tag == "spacer":
            story.append(Spacer(1, float(element.get("height", "12"))))
            continue
        style = styles.get(element.get("style", "body"))
        if style is None:
            raise RenderError(f"Unknown text style {element.get('style')!r}.")
        story.append(Paragraph(_inline(element), style))
    return story


def render(content: CertificateContent) -> bytes:
    """The certificate as PDF bytes."""
    _fonts()
    root = layout(content)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(root.get("title", "Certificate"))
    canvas.setAuthor(root.get("author", ""))
    canvas.setSubject(content.verification_url)

    # Frame: a double border in the accent colour.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64)

    flow = []
    for element in root:
        if element.tag in ("text", "spacer"):
            flow.append(element)
        elif element.tag == "signature":
            _draw_signature(
                canvas, element.get("name", ""), element.get("role", ""), x=90, y=110, width=220
            )
        elif element.tag == "qr":
            _draw_qr(
                canvas,
                element.get("url", content.verification_url),
                element.get("caption", ""),
                x=width - 90 - 96,
                y=86,
                size=96,
            )
        elif element.tag == "footer":
            canvas.setFont(FONT_NAMES["regular"], 8)
            canvas.setFillColor(MUTED)
            canvas.drawCentredString(width / 2, 46, " ".join((element.text or "").split()))
        else:
            raise RenderError(f"Unknown layout element <{element.tag}>.")
    frame_box = (70, 160, width - 140, height - 215)
    # Long names and titles shrink the text until it fits above the signature line.
    for scale in (1.0, 0.85, 0.7, 0.55, 0.4):
        story = _story(flow, _styles(scale))
        probe = Frame(*frame_box, showBoundary=0)
        if sum(f.wrap(probe._aW, probe._aH)[1] + f.getSpaceAfter() for f in story) <= (probe._aH):
            break
    Frame(*frame_box, showBoundary=0).addFromList(story, canvas)
    if story:
        raise RenderError("The certificate's text does not fit on the page.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
