from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _content_changed(sender, instance, **kwargs) -> None:
    from cms.services import course_content_changed

    course_content_changed(page=instance)


def _content_moved(sender, instance, parent_page_before=None, **kwargs) -> None:
    from cms.services import course_content_changed

    # A section moved to another course changes both; a moved course changes its URL.
    course_content_changed(page=instance)
    if parent_page_before is not None:
        course_content_changed(page=parent_page_before)


def _catalog_changed(sender, **kwargs) -> None:
    from cms.headless import catalog_changed

    catalog_changed()


def _index_unindexed_courses(sender, using="default", **kwargs) -> None:
    from cms.services import lesson_index_backfill

    lesson_index_backfill()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.models import PageViewRestriction
        from wagtail.signals import (
            init_new_page,
            page_published,
            page_unpublished,
            post_page_move,
            workflow_cancelled,
            workflow_rejected,
            workflow_submitted,
        )

        from cms import review
        from cms.admin_views import default_instructor

        # Consumed at the edge: cached outlines and catalog numbers follow published content.
        page_published.connect(_content_changed, dispatch_uid="cms.content_published")
        page_unpublished.connect(_content_changed, dispatch_uid="cms.content_unpublished")
        # Deleting a live page unpublishes it first (Wagtail), so deletes arrive above.
        post_page_move.connect(_content_moved, dispatch_uid="cms.content_moved")
        # Who may see a page, and category names, show in every cached course response.
        for model in (PageViewRestriction, self.get_model("CourseCategory")):
            post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"cms.catalog.{model}")
            post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"cms.catalog.{model}")
        # A course is reviewed as one unit with its changed sections (see cms.review).
        workflow_submitted.connect(review.on_workflow_submitted, dispatch_uid="cms.review.submit")
        workflow_rejected.connect(review.on_workflow_withdrawn, dispatch_uid="cms.review.reject")
        workflow_cancelled.connect(review.on_workflow_withdrawn, dispatch_uid="cms.review.cancel")
        init_new_page.connect(default_instructor, dispatch_uid="cms.default_instructor")
        # Courses published before the lesson index existed get indexed after migrate
        # (with the real models, so it keeps working as the models change).
        post_migrate.connect(_index_unindexed_courses, sender=self, dispatch_uid="cms.index")
