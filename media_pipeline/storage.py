"""Storage helpers: presigned S3 uploads, local chunk writes, signed URLs, prefix deletion.

Everything goes through Django's default storage: an ``S3Storage`` (django-storages) in
production, a ``FileSystemStorage`` under ``var/media`` on the embedded default. S3 specifics
use the boto3 client of that same storage, so credentials and endpoint come from one place.
Transient storage failures are raised as :class:`StorageUnavailable` so tasks can retry them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage, storages

from media_pipeline import endpoints
from media_pipeline.errors import InvalidSignature, StorageUnavailable

LOCAL_FILE_SALT = "media_pipeline.file"
TRANSIENT_OS_ERRORS = {errno.EIO, errno.ENOSPC, errno.EAGAIN, errno.ETIMEDOUT}


STORAGE_ALIAS = "videos"


def storage() -> Storage:
    """The storage of every video file: ``STORAGES["videos"]`` (see settings)."""
    return storages[STORAGE_ALIAS]


def is_s3(store: Storage | None = None) -> bool:
    return bool(getattr(store or storage(), "bucket_name", None))


@contextlib.contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn transient storage failures (network, 5xx, full disk) into StorageUnavailable."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = exc.response.get("Error", {}).get("Code", "")
        if status >= 500 or code in {"SlowDown", "RequestTimeout", "ServiceUnavailable"}:
            raise StorageUnavailable(f"Storage failed while {action} ({code or status}).") from exc
        raise
    except BotoCoreError as exc:
        raise StorageUnavailable(f"Storage was unreachable while {action} ({exc}).") from exc
    except (ConnectionError, TimeoutError) as exc:
        raise StorageUnavailable(f"Storage was unreachable while {action} ({exc}).") from exc
    except OSError as exc:
        if exc.errno in TRANSIENT_OS_ERRORS:
            raise StorageUnavailable(f"Storage failed while {action} ({exc}).") from exc
        raise


# --- S3 --------------------------------------------------------------------------------------


def s3_client(store: Storage | None = None):
    return (store or storage()).connection.meta.client


def s3_signing_client(store: Storage | None = None):
    """The client that signs URLs for browsers (``AWS_S3_PUBLIC_ENDPOINT_URL``, config.storage)."""
    store = store or storage()
    return getattr(store, "signing_client", None) or s3_client(store)


def s3_key(name: str, store: Storage | None = None) -> str:
    """The bucket key of a storage name (applies ``AWS_LOCATION``)."""
    from storages.utils import clean_name

    store = store or storage()
    return store._normalize_name(clean_name(name))


def presigned_put(name: str, *, content_type: str, expires: int) -> str:
    store = storage()
    return s3_signing_client(store).generate_presigned_url(
        "put_object",
        Params={"Bucket": store.bucket_name, "Key": s3_key(name), "ContentType": content_type},
        ExpiresIn=expires,
    )


def multipart_create(name: str, *, content_type: str) -> str:
    store = storage()
    with storage_errors("starting a multipart upload"):
        response = s3_client(store).create_multipart_upload(
            Bucket=store.bucket_name, Key=s3_key(name), ContentType=content_type
        )
    return response["UploadId"]


def multipart_part_url(name: str, *, upload_id: str, part_number: int, expires: int) -> str:
    store = storage()
    return s3_signing_client(store).generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": store.bucket_name,
            "Key": s3_key(name),
            "UploadId": upload_id,
            "PartNumber": part_number,
        },
        ExpiresIn=expires,
    )


def multipart_parts(name: str, *, upload_id: str) -> list[dict]:
    """Parts received so far: ``[{"PartNumber", "ETag", "Size"}]`` in order."""
    store = storage()
    client = s3_client(store)
    parts: list[dict] = []
    marker = 0
    with storage_errors("listing upload parts"):
        while True:
            page = client.list_parts(
                Bucket=store.bucket_name,
                Key=s3_key(name),
                UploadId=upload_id,
                PartNumberMarker=marker,
            )
            parts += page.get("Parts", [])
            if not page.get("IsTruncated"):
                break
            marker = page["NextPartNumberMarker"]
    return sorted(parts, key=lambda part: part["PartNumber"])


def multipart_complete(name: str, *, upload_id: str, parts: list[dict]) -> None:
    store = storage()
    with storage_errors("completing a multipart upload"):
        s3_client(store).complete_multipart_upload(
            Bucket=store.bucket_name,
            Key=s3_key(name),
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]
            },
        )


def multipart_abort(name: str, *, upload_id: str) -> None:
    from botocore.exceptions import ClientError

    store = storage()
    with contextlib.suppress(ClientError), storage_errors("aborting a multipart upload"):
        s3_client(store).abort_multipart_upload(
            Bucket=store.bucket_name, Key=s3_key(name), UploadId=upload_id
        )


# --- Both backends ---------------------------------------------------------------------------


def size_of(name: str) -> int | None:
    """Size in bytes of a stored file, or None when it does not exist."""
    store = storage()
    with storage_errors("checking an upload"):
        if not store.exists(name):
            return None
        return store.size(name)


def read_head(name: str, length: int = 8192) -> bytes:
    """The first ``length`` bytes of a stored file (one ranged GET on S3)."""
    store = storage()
    with storage_errors("reading an upload"):
        if is_s3(store):
            answer = s3_client(store).get_object(
                Bucket=store.bucket_name, Key=s3_key(name), Range=f"bytes=0-{length - 1}"
            )
            return answer["Body"].read(length)
        with store.open(name, "rb") as handle:
            return handle.read(length)


def download(name: str, target: Path) -> Path:
    """Copy a stored file to a local path (or return its own path on local storage)."""
    store = storage()
    with storage_errors("downloading the original"):
        if not is_s3(store):
            path = Path(store.path(name))
            if not path.is_file():
                raise FileNotFoundError(name)
            return path
        s3_client(store).download_file(store.bucket_name, s3_key(name), str(target))
    return target


def put_file(name: str, source: Path) -> str:
    """Store ``source`` under exactly ``name``, replacing what is there (idempotent)."""
    store = storage()
    with storage_errors(f"writing {Path(name).name}"):
        if store.exists(name):
            store.delete(name)
        with source.open("rb") as fh:
            saved = store.save(name, File(fh, name=Path(name).name))
    if saved != name:  # pragma: no cover - a concurrent writer created the name meanwhile
        raise StorageUnavailable(f"Storage renamed {name} to {saved}; will retry.")
    return saved


def put_tree(prefix: str, folder: Path) -> list[str]:
    """Store every file under ``folder`` below ``prefix``; returns the stored names."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    names = [f"{prefix}/{p.relative_to(folder).as_posix()}" for p in files]
    if is_s3():
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(put_file, names, files))
    else:
        for name, path in zip(names, files, strict=True):
            put_file(name, path)
    return names


def delete_prefix(prefix: str) -> int:
    """Delete every stored file below ``prefix``; returns how many were deleted."""
    store = storage()
    deleted = 0
    with storage_errors("removing old files"):
        try:
            dirs, files = store.listdir(prefix)
        except FileNotFoundError:
            return 0
        for file in files:
            store.delete(f"{prefix}/{file}")
            deleted += 1
        for folder in dirs:
            deleted += delete_prefix(f"{prefix}/{folder}")
        if not is_s3(store):
            with contextlib.suppress(OSError):
                os.rmdir(store.path(prefix))
    return deleted


def delete(name: str) -> None:
    if name:
        with storage_errors("deleting a file"):
            storage().delete(name)


def write_local_part(name: str, *, offset: int, stream: BinaryIO, length: int) -> int:
    """Write ``length`` bytes from ``stream`` at ``offset`` of a local file (resumable: a part
    sent again overwrites itself). Returns the number of bytes written."""
    path = Path(storage().path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        with os.fdopen(fd, "r+b") as fh:
            fh.seek(offset)
            while written < length:
                chunk = stream.read(min(1024 * 1024, length - written))
                if not chunk:
                    break
                fh.write(chunk)
                written += len(chunk)
    except OSError as exc:
        raise StorageUnavailable(f"Could not write the upload ({exc}).") from exc
    return written


def truncate_local(name: str, size: int) -> None:
    path = Path(storage().path(name))
    if path.exists() and path.stat().st_size > size:
        os.truncate(path, size)


def open_local(name: str):
    return storage().open(name, "rb")


def copy_into(name: str, source: Path) -> None:
    """Place a local file as a stored original (demo data, server-side imports)."""
    store = storage()
    if is_s3(store):
        put_file(name, source)
        return
    target = Path(store.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


# --- Signed URLs -----------------------------------------------------------------------------


def sign(payload: dict, *, salt: str, expires: int) -> str:
    return signing.dumps({**payload, "e": int(time.time()) + expires}, salt=salt, compress=True)


def unsign(token: str, *, salt: str) -> dict:
    """The payload of a token made by :func:`sign`; InvalidSignature if forged or expired."""
    try:
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidSignature("The link is invalid.", code="invalid_signature") from exc
    if not isinstance(payload, dict) or int(payload.get("e", 0)) < time.time():
        raise InvalidSignature("The link has expired.", code="signature_expired")
    return payload


def signed_url(name: str, *, expires: int, request=None) -> str:
    """A short-lived URL for a stored file: S3 presigned GET, or the app's signed file view."""
    store = storage()
    if is_s3(store):
        return store.url(name, expire=expires)
    token = sign({"n": name}, salt=LOCAL_FILE_SALT, expires=expires)
    path = endpoints.url("signed_file", token=token)
    return request.build_absolute_uri(path) if request is not None else path


def name_from_signed_file_token(token: str) -> str:
    return str(unsign(token, salt=LOCAL_FILE_SALT)["n"])
