from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning.demo.services import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = (
        "Create the demo site: home page, role groups, demo accounts and courses. Idempotent. "
        "Refused unless DEMO_DATA_ALLOWED is on (it is off in production)."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled here (DEMO_DATA_ALLOWED is off).")
        result = load_demo_data()
        self.stdout.write(f"Home page: {result['home_page'].title} (id {result['home_page'].pk})")
        self.stdout.write(f"Groups: {', '.join(result['groups'])}")
        self.stdout.write("Demo accounts (local use only):")
        for account, created in result["accounts"]:
            state = "created" if created else "exists"
            self.stdout.write(
                f"  {account.role:<11} {account.email:<24} password: {DEMO_PASSWORD}  ({state})"
            )
        for course in result["courses"]:
            state = "published" if course.live else "in review"
            self.stdout.write(f"Course: {course.title} ({state}) {course.url or ''}")
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
