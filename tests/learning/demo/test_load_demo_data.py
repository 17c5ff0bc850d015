import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.models import HomePage
from learning.accounts.roles import roles_of
from learning.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
User = get_user_model()


def snapshot():
    return (
        User.objects.count(),
        Group.objects.count(),
        Page.objects.count(),
        Site.objects.count(),
        sorted(User.objects.values_list("email", "groups__name")),
    )


def test_load_demo_data_is_idempotent():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first


def test_it_creates_home_page_groups_and_accounts():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    assert {"Students", "Instructors", "Editors"} <= set(
        Group.objects.values_list("name", flat=True)
    )
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert roles_of(user) == [account.role]
        assert user.email_verified
    assert User.objects.get(email="admin@example.com").is_superuser
    assert (
        Group.objects.get(name="Instructors").permissions.filter(codename="access_admin").exists()
    )


def test_demo_admin_can_sign_in_to_the_wagtail_admin(client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post(
        "/admin/login/", {"username": "admin@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_refused_where_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("load_demo_data")
    assert not User.objects.exists()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.role)
def test_demo_accounts_can_sign_in_through_the_api(account, api_client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = api_client.post(
        "/api/v2/auth/token/", {"email": account.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = api_client.get("/api/v2/me/").json()
    assert me["roles"] == [account.role]


def test_it_builds_two_published_courses_and_one_in_review(api_client):
    from wagtail.models import Revision, WorkflowState

    from cms.models import CoursePage

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (CoursePage.objects.count(), Revision.objects.count(), WorkflowState.objects.count())
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        CoursePage.objects.count(),
        Revision.objects.count(),
        WorkflowState.objects.count(),
    ) == counts

    catalog = api_client.get("/api/v2/courses/").json()
    assert catalog["count"] == 2
    for item in catalog["results"]:
        # The cover renditions are the size they are named after.
        sizes = {
            name: (r["width"], r["height"]) for name, r in item["cover"].items() if name != "alt"
        }
        assert sizes == {"thumbnail": (400, 225), "card": (800, 450)}
        detail = api_client.get(f"/api/v2/courses/{item['id']}/").json()
        assert len(detail["sections"]) >= 2
        kinds = {lesson["kind"] for s in detail["sections"] for lesson in s["lessons"]}
        assert kinds == {"video", "reading", "quiz"}
    draft = CoursePage.objects.get(slug="python-testing")
    assert not draft.live and draft.workflow_in_progress
    page = api_client.get("/courses/python-for-beginners/")
    assert page.status_code == 200
    # Generated covers (not flat colour blocks) described by their alt text, here and on the
    # site.
    from PIL import Image as PILImage

    course = CoursePage.objects.get(slug="python-for-beginners")
    with course.cover_image.open_file() as handle:
        colours = PILImage.open(handle).convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 100
    alt = course.cover_image.description
    assert alt.startswith("Course cover for “Python for beginners”: an editor window")
    python_item = next(i for i in catalog["results"] if i["slug"] == "python-for-beginners")
    assert python_item["cover"]["alt"] == alt
    assert f'alt="{alt}"' in page.content.decode()


def test_the_demo_student_is_enrolled_once():
    from learning.demo.services import load_demo_data
    from learning.enrollment.models import Enrollment

    load_demo_data()
    enrollment = Enrollment.objects.get(user__email="student@example.com", status="active")
    assert enrollment.course.live
    load_demo_data()
    assert Enrollment.objects.get(user__email="student@example.com", status="active") == enrollment


def test_the_demo_student_holds_one_certificate_with_its_pdf():
    from learning.certificates import files
    from learning.certificates.models import Certificate
    from learning.demo.services import load_demo_data

    load_demo_data()
    certificate = Certificate.objects.get(user__email="student@example.com")
    assert certificate.enrollment.status == "completed" and certificate.is_valid
    assert certificate.holder_name == "Sam Student"
    assert certificate.pdf and files.storage().exists(certificate.pdf)
    load_demo_data()
    assert Certificate.objects.get(user__email="student@example.com") == certificate


def test_the_demo_student_has_one_graded_attempt_and_every_question_type_is_used():
    from cms import headless
    from cms.models import SectionPage
    from learning.assessment.models import QuizAttempt
    from learning.demo.services import load_demo_data

    load_demo_data()
    load_demo_data()
    attempt = QuizAttempt.objects.get(user__email="student@example.com")
    assert attempt.status == "submitted" and attempt.passed and attempt.percent < 100
    course = attempt.course
    types = set()
    for section in SectionPage.objects.live().child_of(course):
        for keys in headless.answer_keys(section).values():
            types |= {key["type"] for key in keys.values()}
    assert types == {"single_choice", "multiple_choice", "true_false", "numeric", "short_text"}
