"""Regrade the submitted attempts of a quiz against its published answer keys."""

from django.core.management.base import BaseCommand, CommandError

from cms.models import CourseLesson
from config.errors import DomainError
from learning.assessment import services
from learning.assessment.models import AttemptRegrade


class Command(BaseCommand):
    help = (
        "Regrade every submitted attempt of a quiz lesson with the answer keys of its "
        "published revision (after fixing a wrong key). Each changed attempt is recorded in "
        "its regrade history; learners who pass now get the lesson completed."
    )

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int, help="The course page id.")
        parser.add_argument("lesson_id", help="The quiz lesson's id (its stream block id).")

    def handle(self, *args, course_id, lesson_id, **options):
        lesson = CourseLesson.objects.filter(course_id=course_id, lesson_id=lesson_id).first()
        if lesson is None:
            raise CommandError(f"Course {course_id} has no lesson {lesson_id}.")
        try:
            records = services.quiz_regrade(lesson=lesson, via=AttemptRegrade.Via.COMMAND)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        for record in records:
            self.stdout.write(
                f"attempt {record.attempt_id}: {record.old_percent:g}% -> "
                f"{record.new_percent:g}% (passed {record.old_passed} -> {record.new_passed})"
            )
        self.stdout.write(self.style.SUCCESS(f"Regraded {len(records)} attempt(s)."))
