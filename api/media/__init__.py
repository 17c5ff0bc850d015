"""The media endpoints of the v2 API: uploads, video library, captions and playback."""
