from django.apps import AppConfig


def _content_changed(sender, instance, **kwargs) -> None:
    from cms.services import course_content_changed

    course_content_changed(page=instance)


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        # Consumed at the edge: cached outlines and catalog numbers follow published content.
        page_published.connect(_content_changed, dispatch_uid="cms.content_published")
        page_unpublished.connect(_content_changed, dispatch_uid="cms.content_unpublished")
