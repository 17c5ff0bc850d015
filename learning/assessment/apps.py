from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "learning.assessment"
    label = "assessment"
    verbose_name = "Assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights
        from learning.assessment import selectors

        data_rights.register("quiz_attempts", export=selectors.attempts_export)
