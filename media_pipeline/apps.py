from django.apps import AppConfig


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = "Media"
    default_auto_field = "django.db.models.BigAutoField"
