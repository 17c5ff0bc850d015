from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "learning.certificates"
    label = "certificates"
    verbose_name = "Certificates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights
        from learning.certificates import checks, selectors, services  # noqa: F401 (checks)

        data_rights.register(
            "certificates", export=selectors.certificates_export, erase=services.holder_remove
        )
