from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "learning.analytics"
    label = "analytics"
    verbose_name = "Learning analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights
        from learning.analytics import reports, selectors

        data_rights.register("learning_events", export=selectors.statements_for_actor)
        reports.register_kind()
