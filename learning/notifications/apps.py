from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "learning.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import (
            page_published,
            workflow_approved,
            workflow_rejected,
            workflow_submitted,
        )

        from learning.accounts import data_rights
        from learning.notifications import handlers, selectors, services
        from learning.notifications.kinds import register_core_kinds

        register_core_kinds()
        data_rights.register(
            "notifications",
            export=selectors.notifications_export,
            erase=services.notifications_erase,
        )
        data_rights.register("notification_preferences", export=selectors.preferences_export)
        # Consumed at the edge: Wagtail's content and review events become notifications.
        page_published.connect(handlers.section_published, dispatch_uid="notifications.published")
        workflow_submitted.connect(
            handlers.workflow_submitted, dispatch_uid="notifications.wf_submitted"
        )
        workflow_approved.connect(
            handlers.workflow_approved, dispatch_uid="notifications.wf_approved"
        )
        workflow_rejected.connect(
            handlers.workflow_rejected, dispatch_uid="notifications.wf_rejected"
        )
