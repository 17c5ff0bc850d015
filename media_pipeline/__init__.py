"""Video and caption assets: uploads, transcoding, posters, captions and signed playback."""
