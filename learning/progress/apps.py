from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "learning.progress"
    label = "progress"
    verbose_name = "Progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights
        from learning.progress import selectors

        data_rights.register("lesson_progress", export=selectors.progress_export)
