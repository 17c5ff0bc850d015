"""Where certificate PDFs are kept (``STORAGES["certificates"]``: private) and the signed,
expiring URLs they are downloaded through: S3 presigned GETs, or the API's signed file view
on local storage (the same token scheme as the media pipeline's)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.urls import reverse

from media_pipeline import storage as media_storage

STORAGE_ALIAS = "certificates"
FILE_SALT = "learning.certificates.file"


def storage() -> Storage:
    return storages[STORAGE_ALIAS]


def pdf_name(code: str) -> str:
    return f"certificates/{code}.pdf"


def save_pdf(code: str, content: bytes) -> str:
    """Store the PDF under its fixed name (a retry overwrites, never adds a copy)."""
    store = storage()
    name = pdf_name(code)
    with media_storage.storage_errors("storing a certificate PDF"):
        if store.exists(name):
            store.delete(name)
        saved = store.save(name, ContentFile(content))
    return saved


def delete_pdf(name: str) -> None:
    if name:
        with media_storage.storage_errors("deleting a certificate PDF"):
            storage().delete(name)


def signed_url(name: str, *, request=None, filename: str = "certificate.pdf") -> str:
    store = storage()
    expires = settings.CERTIFICATE_URL_SECONDS
    if media_storage.is_s3(store):
        return store.url(
            name,
            expire=expires,
            parameters={
                "ResponseContentType": "application/pdf",
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
        )
    token = media_storage.sign({"n": name, "f": filename}, salt=FILE_SALT, expires=expires)
    path = reverse("v2:certificate-file", kwargs={"token": token})
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def file_from_token(token: str) -> tuple[str, str]:
    """The storage name and download file name of a signed URL's token (InvalidSignature
    when forged or expired)."""
    payload = media_storage.unsign(token, salt=FILE_SALT)
    return str(payload["n"]), str(payload.get("f") or "certificate.pdf")
