from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import courses as cf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [course["id"] for course in response.json()["results"]]


@pytest.fixture
def catalog(instructor, other_instructor):
    python = cf.category("Programming")
    web = cf.category("Web", parent=python)
    design = cf.category("Design")
    a = cf.course(
        title="Alpha Python",
        subtitle="Snakes and ladders",
        category=python,
        level="beginner",
        language="en",
        price=Decimal("0"),
        instructors=[instructor],
        tags=["python"],
    )
    b = cf.course(
        title="Beta Web",
        category=web,
        level="advanced",
        language="de",
        price=Decimal("49"),
        instructors=[other_instructor],
        tags=["web"],
    )
    c = cf.course(
        title="Gamma Design",
        category=design,
        level="intermediate",
        language="en",
        price=Decimal("19.50"),
        instructors=[instructor, other_instructor],
    )
    cf.section(a, lessons=[cf.reading("r", minutes=7), cf.quiz("q", minutes=3)])
    draft = cf.course(title="Draft course", publish=False, instructors=[instructor])
    expired = cf.course(title="Expired course", instructors=[instructor])
    type(expired).objects.filter(pk=expired.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )
    return {"a": a, "b": b, "c": c, "draft": draft, "expired": expired}


def test_everyone_sees_live_courses_only(roles, catalog):
    # Drafts and expired courses are hidden from everyone, their instructors included.
    for role in ROLES:
        response = client_for(roles.user(role)).get("/api/v2/courses/")
        assert set(ids(response)) == {catalog["a"].pk, catalog["b"].pk, catalog["c"].pk}, role


def test_compact_fields(api_client, catalog, instructor):
    catalog["a"].cover_image = cf.image("cover")
    catalog["a"].save_revision().publish()
    body = api_client.get("/api/v2/courses/", {"ordering": "title"}).json()
    first = body["results"][0]
    assert first["title"] == "Alpha Python"
    assert first["lesson_count"] == 2 and first["total_minutes"] == 10
    assert first["instructors"] == [{"id": instructor.pk, "name": instructor.public_name}]
    assert first["is_free"] is True and first["price"] == "0.00"
    assert first["category"]["slug"] == "programming"
    assert first["tags"] == ["python"]
    assert set(first["cover"]) == {"alt", "thumbnail", "card"}
    assert first["cover"]["thumbnail"]["url"].startswith("http://testserver/media/images/")
    assert "sections" not in first and "description_html" not in first


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "programming"}, ["a", "b"]),  # subcategories included
        ({"category": "web"}, ["b"]),
        ({"level": "advanced"}, ["b"]),
        ({"language": "en"}, ["a", "c"]),
        ({"price": "free"}, ["a"]),
        ({"price": "paid"}, ["b", "c"]),
        ({"tag": "web"}, ["b"]),
        ({"q": "snakes"}, ["a"]),
        ({"q": "design", "level": "intermediate"}, ["c"]),
    ],
)
def test_filters_and_search(api_client, catalog, params, expected):
    response = api_client.get("/api/v2/courses/", {**params, "ordering": "title"})
    assert ids(response) == [catalog[key].pk for key in expected]


def test_filter_by_instructor(api_client, catalog, other_instructor):
    response = api_client.get(
        "/api/v2/courses/", {"instructor": other_instructor.pk, "ordering": "title"}
    )
    assert ids(response) == [catalog["b"].pk, catalog["c"].pk]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["a", "b", "c"]),
        ("price", ["a", "c", "b"]),
        ("-price", ["b", "c", "a"]),
        ("newest", ["c", "b", "a"]),
        ("popular", ["c", "b", "a"]),  # no learners yet: newest first
    ],
)
def test_ordering(api_client, catalog, ordering, expected):
    assert ids(api_client.get("/api/v2/courses/", {"ordering": ordering})) == [
        catalog[key].pk for key in expected
    ]


def test_pagination(api_client, catalog):
    body = api_client.get("/api/v2/courses/", {"page_size": 2, "ordering": "title"}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    second = api_client.get("/api/v2/courses/", {"page_size": 2, "page": 2, "ordering": "title"})
    assert ids(second) == [catalog["c"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "expert"}, "level"),
        ({"language": "xx"}, "language"),
        ({"price": "cheap"}, "price"),
        ({"instructor": "abc"}, "instructor"),
        ({"category": "no-such-category"}, "category"),
        ({"ordering": "random"}, "ordering"),
    ],
)
def test_invalid_filter_values_are_400_naming_the_field(api_client, catalog, params, field):
    response = api_client.get("/api/v2/courses/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {field}


@pytest.mark.slow
def test_catalog_page_of_20_courses_takes_constant_queries(
    api_client, instructor, django_assert_max_num_queries
):
    category = cf.category("Programming")
    for n in range(20):
        cf.course(
            title=f"Course {n:02}",
            category=category,
            instructors=[instructor],
            tags=["t1", "t2"],
            cover_image=cf.image(f"c{n}"),
        )
    api_client.get("/api/v2/courses/")  # renditions are made once, on first use
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v2/courses/")
    assert len(response.json()["results"]) == 20


def test_view_restricted_courses_are_not_listed(api_client, catalog):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=catalog["b"], restriction_type=PageViewRestriction.LOGIN
    )
    assert set(ids(api_client.get("/api/v2/courses/"))) == {catalog["a"].pk, catalog["c"].pk}
    assert api_client.get(f"/api/v2/courses/{catalog['b'].pk}/").status_code == 404
