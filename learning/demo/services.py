"""Demo content for local runs and reviews. Every function is idempotent: running the
command again leaves the same state and creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Page, Site

from cms.models import HomePage

# Local-only credentials, printed by `make run` and listed in the README. Never used in
# production: the command refuses to run unless DEMO_DATA_ALLOWED is on.
DEMO_PASSWORD = "unpuzzle-demo"  # noqa: S105  (documented, local only)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    group: str | None
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", "Ada", "Admin", "admin", None, is_superuser=True),
    DemoAccount("editor@example.com", "Eddie", "Editor", "editor", "Editors"),
    DemoAccount("instructor@example.com", "Ines", "Instructor", "instructor", "Instructors"),
    DemoAccount("student@example.com", "Sam", "Student", "student", "Students"),
)

# Group name -> model permissions ("app_label.codename"). Page permissions for course
# authoring are granted on the course tree by the courses feature.
GROUPS: dict[str, tuple[str, ...]] = {
    "Students": (),
    "Instructors": ("wagtailadmin.access_admin",),
    "Editors": ("wagtailadmin.access_admin",),
}


def ensure_groups() -> dict[str, Group]:
    groups = {}
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)
        groups[name] = group
    return groups


def ensure_demo_accounts(groups: dict[str, Group]) -> list[tuple[DemoAccount, bool]]:
    User = get_user_model()
    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        created = user is None
        if created:
            create = (
                User.objects.create_superuser if account.is_superuser else User.objects.create_user
            )
            user = create(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
            )
        if account.group:
            user.groups.add(groups[account.group])
        results.append((account, created))
    return results


def ensure_home_page() -> HomePage:
    """Make a :class:`HomePage` the root of the default site, replacing Wagtail's
    placeholder welcome page if it is still there."""
    existing = HomePage.objects.first()
    if existing is None:
        root = Page.get_first_root_node()
        for placeholder in root.get_children().filter(slug="home").exact_type(Page):
            placeholder.delete()
        existing = HomePage(
            title="Home",
            slug="home",
            headline="Learn anything, one piece at a time",
            intro="<p>Short video lessons, readings and quizzes, with progress you can trust "
            "and a tutor that knows the course.</p>",
        )
        root.add_child(instance=existing)
        existing.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=existing,
            is_default_site=True,
            site_name="Unpuzzle LMS",
        )
    elif site.root_page_id != existing.pk or site.site_name != "Unpuzzle LMS":
        site.root_page = existing
        site.site_name = "Unpuzzle LMS"
        site.save()
    return existing


@transaction.atomic
def load_demo_data() -> dict:
    groups = ensure_groups()
    accounts = ensure_demo_accounts(groups)
    home = ensure_home_page()
    # Media pipeline: two generated demo videos with captions, owned by the demo instructor.
    from media_pipeline.demo import ensure_demo_videos

    instructor = get_user_model().objects.get(email="instructor@example.com")
    videos = ensure_demo_videos(owner=instructor)
    return {"groups": list(groups), "accounts": accounts, "home_page": home, "videos": videos}
