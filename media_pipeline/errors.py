"""Domain errors of the media pipeline. ``code`` is stable and machine-readable; the message
is shown to humans (API problem details, the admin, an asset's failure reason)."""

from __future__ import annotations

from config.errors import DomainError, ErrorKind


class MediaError(DomainError):
    code = "media_error"


class UploadRejected(MediaError):
    """The upload request itself is not acceptable (type, size, name)."""

    code = "upload_rejected"


class UploadTooLarge(UploadRejected):
    code = "upload_too_large"
    kind = ErrorKind.TOO_LARGE


class UnsupportedFileType(UploadRejected):
    code = "unsupported_file_type"


class NotAVideo(UploadRejected):
    """The uploaded bytes are not a video container, whatever the file's name or declared
    type said (checked from the stored bytes when the upload completes)."""

    code = "not_a_video"


class InvalidState(MediaError):
    """The asset is not in a state that allows this operation."""

    code = "invalid_state"
    kind = ErrorKind.CONFLICT


class UploadIncomplete(MediaError):
    """The stored object is missing or its size differs from the declared size."""

    code = "upload_incomplete"


class UploadExpired(MediaError):
    code = "upload_expired"
    kind = ErrorKind.GONE


class InvalidUploadPart(MediaError):
    code = "invalid_upload_part"


class InvalidCaptions(MediaError):
    code = "invalid_captions"


class NotReady(MediaError):
    code = "not_ready"
    kind = ErrorKind.CONFLICT


class InvalidSignature(MediaError):
    """A signed URL was tampered with or has expired."""

    code = "invalid_signature"
    kind = ErrorKind.FORBIDDEN


class ProcessingFailed(MediaError):
    """The video cannot be processed; permanent (retrying will not help)."""

    code = "processing_failed"


class StorageUnavailable(MediaError):
    """Storage could not be reached; transient (worth retrying)."""

    code = "storage_unavailable"
    kind = ErrorKind.UNAVAILABLE


class FFmpegUnavailable(MediaError):
    code = "ffmpeg_unavailable"
    kind = ErrorKind.UNAVAILABLE


class RenditionNotFound(MediaError):
    code = "not_found"
    kind = ErrorKind.NOT_FOUND


class LibraryAccessDenied(MediaError):
    code = "media_access_denied"
    kind = ErrorKind.FORBIDDEN
    default_message = "Your role has no access to the video library."


class UploadNotAllowed(MediaError):
    code = "upload_not_allowed"
    kind = ErrorKind.FORBIDDEN
    default_message = "Your role may not upload videos."


class ChangeDenied(MediaError):
    code = "media_change_denied"
    kind = ErrorKind.FORBIDDEN
    default_message = "You may not change this video."


class PlaybackDenied(MediaError):
    code = "playback_denied"
    kind = ErrorKind.FORBIDDEN
    default_message = "You may not play this video."


class MediaNotFound(MediaError):
    """No such video, upload, caption track or file, or one the caller may not see (whose
    videos exist is not revealed)."""

    code = "not_found"
    kind = ErrorKind.NOT_FOUND
    default_message = "No such video."


class SpeechToTextUnavailable(MediaError):
    """The speech-to-text endpoint failed in a way worth retrying (down, 429, 5xx, timeout,
    an answer that is not a transcription)."""

    code = "speech_to_text_unavailable"
    kind = ErrorKind.UNAVAILABLE


class SpeechToTextRefused(MediaError):
    """The speech-to-text endpoint refused the request (bad key, unknown model, bad audio):
    retrying will not help."""

    code = "speech_to_text_refused"
