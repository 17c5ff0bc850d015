from tests.media_pipeline.fixtures import clips, processed_video, roles  # noqa: F401
