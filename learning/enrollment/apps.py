from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "learning.enrollment"
    label = "enrollment"
    verbose_name = "Enrollment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights
        from learning.enrollment import selectors

        data_rights.register("enrollments", export=selectors.enrollments_export)
