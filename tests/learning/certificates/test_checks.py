"""A missing certificate template, font or a broken signing key stops the process at start
with a clear system check error, not when the first certificate is issued."""

from __future__ import annotations

import subprocess
import sys

from learning.certificates import checks
from tests.support.processes import PROJECT_ROOT, base_env


def test_shipped_template_fonts_and_key_pass():
    assert checks.check_certificate_template() == []
    assert checks.check_certificate_fonts() == []
    assert checks.check_certificate_signing_key() == []


def test_missing_template(settings):
    settings.CERTIFICATE_PDF_TEMPLATE = "certificates/nope.xml"
    (error,) = checks.check_certificate_template()
    assert error.id == "certificates.E001" and "nope.xml" in error.msg


def test_missing_or_broken_font(settings, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.CERTIFICATE_FONTS = {
        **settings.CERTIFICATE_FONTS,
        "bold": str(tmp_path / "missing.ttf"),
        "italic": str(broken),
    }
    errors = checks.check_certificate_fonts()
    assert [e.id for e in errors] == ["certificates.E002", "certificates.E002"]
    assert "missing.ttf" in errors[0].msg and "CERTIFICATE_FONT_BOLD" in errors[0].hint
    assert "broken.ttf" in errors[1].msg


def test_unreadable_signing_key(settings):
    settings.CERTIFICATE_SIGNING_KEY = (
        "-----BEGIN PRIVATE KEY-----\\nnope\\n-----END PRIVATE KEY-----"
    )
    (error,) = checks.check_certificate_signing_key()
    assert error.id == "certificates.E003"


def test_the_process_refuses_to_start_without_its_font(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=base_env(
            CERTIFICATE_FONT_REGULAR=str(tmp_path / "gone.ttf"),
            CERTIFICATE_PDF_TEMPLATE="certificates/missing.xml",
            VAR_DIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "certificates.E001" in result.stderr and "certificates.E002" in result.stderr
    assert "gone.ttf" in result.stderr
