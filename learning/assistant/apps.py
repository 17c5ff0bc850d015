from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "learning.assistant"
    label = "assistant"
    verbose_name = "AI tutor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        # Consumed at the edge: the course index follows published content (in a worker,
        # after the commit that published it, so it reads the synced lesson index).
        page_published.connect(_course_content_changed, dispatch_uid="assistant.reindex")
        page_unpublished.connect(_course_content_changed, dispatch_uid="assistant.unindex")


def _course_content_changed(sender, instance, **kwargs) -> None:
    from django.db import transaction

    from cms.services import course_of
    from learning.assistant.tasks import index_course

    course = course_of(instance)
    if course is not None:
        course_id = course.pk
        transaction.on_commit(lambda: index_course.delay(course_id))
