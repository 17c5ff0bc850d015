"""Avatar images: validated by their content (not their name), normalised and resized."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from learning.accounts.errors import InvalidImage

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


def process_avatar(upload) -> ContentFile:
    """Return a square-bounded WebP of at most ``AVATAR_MAX_DIMENSION`` pixels per side."""
    if upload.size > settings.AVATAR_MAX_UPLOAD_BYTES:
        limit = settings.AVATAR_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise InvalidImage(f"The image is larger than {limit} MB.", code="image_too_large")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidImage() from None
    if image_format not in ALLOWED_FORMATS:
        raise InvalidImage()
    if width * height > MAX_PIXELS:
        raise InvalidImage("The image has too many pixels.", code="image_too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # first frame of animations
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            size = settings.AVATAR_MAX_DIMENSION
            image.thumbnail((size, size), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=85, method=4)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise InvalidImage() from None
    return ContentFile(out.getvalue(), name="avatar.webp")
