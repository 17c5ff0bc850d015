from tests.media_pipeline.fixtures import clips, processed_video  # noqa: F401
