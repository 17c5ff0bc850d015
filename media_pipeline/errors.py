"""Domain errors of the media pipeline. ``code`` is stable and machine-readable; the message
is shown to humans (API problem details, the admin, an asset's failure reason)."""

from __future__ import annotations


class MediaError(Exception):
    code = "media_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class UploadRejected(MediaError):
    """The upload request itself is not acceptable (type, size, name)."""

    code = "upload_rejected"


class UploadTooLarge(UploadRejected):
    code = "upload_too_large"


class UnsupportedFileType(UploadRejected):
    code = "unsupported_file_type"


class InvalidState(MediaError):
    """The asset is not in a state that allows this operation."""

    code = "invalid_state"


class UploadIncomplete(MediaError):
    """The stored object is missing or its size differs from the declared size."""

    code = "upload_incomplete"


class UploadExpired(MediaError):
    code = "upload_expired"


class InvalidUploadPart(MediaError):
    code = "invalid_upload_part"


class InvalidCaptions(MediaError):
    code = "invalid_captions"


class NotReady(MediaError):
    code = "not_ready"


class InvalidSignature(MediaError):
    """A signed URL was tampered with or has expired."""

    code = "invalid_signature"


class ProcessingFailed(MediaError):
    """The video cannot be processed; permanent (retrying will not help)."""

    code = "processing_failed"


class StorageUnavailable(MediaError):
    """Storage could not be reached; transient (worth retrying)."""

    code = "storage_unavailable"


class FFmpegUnavailable(MediaError):
    code = "ffmpeg_unavailable"
