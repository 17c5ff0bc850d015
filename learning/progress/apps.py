from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "learning.progress"
    label = "progress"
    verbose_name = "Progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from learning.accounts import data_rights
        from learning.progress import selectors

        data_rights.register("lesson_progress", export=selectors.progress_export)
        # Consumed at the edge: when a course's content changes, learners who have now done
        # every required lesson complete it (in a worker, after the lesson index is synced).
        page_published.connect(_course_content_published, dispatch_uid="progress.recheck")


def _course_content_published(sender, instance, **kwargs) -> None:
    from django.db import transaction

    from cms.selectors import course_of
    from learning.progress.tasks import recheck_course_completions

    course = course_of(instance)
    if course is not None:
        course_id = course.pk
        transaction.on_commit(lambda: recheck_course_completions.delay(course_id))
