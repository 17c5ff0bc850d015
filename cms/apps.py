from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _content_changed(sender, instance, **kwargs) -> None:
    from cms.services import course_content_changed

    course_content_changed(page=instance)


def _index_unindexed_courses(sender, using="default", **kwargs) -> None:
    from cms.services import lesson_index_backfill

    lesson_index_backfill()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import (
            init_new_page,
            page_published,
            page_unpublished,
            workflow_cancelled,
            workflow_rejected,
            workflow_submitted,
        )

        from cms import review
        from cms.admin_views import default_instructor

        # Consumed at the edge: cached outlines and catalog numbers follow published content.
        page_published.connect(_content_changed, dispatch_uid="cms.content_published")
        page_unpublished.connect(_content_changed, dispatch_uid="cms.content_unpublished")
        # A course is reviewed as one unit with its changed sections (see cms.review).
        workflow_submitted.connect(review.on_workflow_submitted, dispatch_uid="cms.review.submit")
        workflow_rejected.connect(review.on_workflow_withdrawn, dispatch_uid="cms.review.reject")
        workflow_cancelled.connect(review.on_workflow_withdrawn, dispatch_uid="cms.review.cancel")
        init_new_page.connect(default_instructor, dispatch_uid="cms.default_instructor")
        # Courses published before the lesson index existed get indexed after migrate
        # (with the real models, so it keeps working as the models change).
        post_migrate.connect(_index_unindexed_courses, sender=self, dispatch_uid="cms.index")
