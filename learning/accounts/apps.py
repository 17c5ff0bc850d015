from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", verbosity=1, **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from learning.accounts.roles import sync_roles

    # Permissions of every app must exist before groups can be given them; creating them
    # here is idempotent and independent of the order post_migrate receivers run in.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles()


class AccountsConfig(AppConfig):
    name = "learning.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from learning.accounts import data_rights

        data_rights.register_accounts_sections()
        # Role groups and their permissions exist after every migrate (and test flush).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="accounts.sync_roles")
