from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django_filters import rest_framework as filters
from wagtail.search.backends import get_search_backend

from cms.models import CourseCategory, CourseLevel, CoursePage
from config.converters import MAX_ID

FTS_KEYWORDS = {"AND", "OR", "NOT", "NEAR"}

ORDERINGS = {
    "newest": ("-first_published_at", "-pk"),
    "title": ("title", "pk"),
    "price": ("price", "title", "pk"),
    "-price": ("-price", "title", "pk"),
    # Courses nobody enrolled in yet have no enrollment stats row: they count 0 learners.
    "popular": (
        Coalesce("enrollment_stats__learner_count", Value(0)).desc(),
        "-first_published_at",
        "-pk",
    ),
}


def search_terms(text: str) -> str:
    """The words of a search box, without the full-text engines' operator syntax.

    Quotes, parentheses, ``*``, ``:``, ``^``, ``-`` and keywords such as ``NEAR`` mean something
    to SQLite FTS5 and PostgreSQL's ``tsquery``; an unbalanced quote is an error there. Learners
    type words, so words are what is searched for.
    """
    words = re.findall(r"\w+", text)
    return " ".join(word for word in words if word.upper() not in FTS_KEYWORDS)


class CourseFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_nothing",
        max_length=200,
        help_text="Search titles, subtitles and descriptions. Without `ordering`, the best "
        "matches come first.",
    )
    category = filters.ModelChoiceFilter(
        queryset=CourseCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
        help_text="A category slug; courses in its subcategories are included.",
    )
    level = filters.ChoiceFilter(choices=CourseLevel.choices)
    language = filters.ChoiceFilter(choices=settings.LANGUAGES)
    price = filters.ChoiceFilter(
        choices=[("free", "Free"), ("paid", "Paid")],
        method="filter_price",
        help_text="`free` or `paid`.",
    )
    instructor = filters.NumberFilter(
        method="filter_instructor",
        min_value=1,
        max_value=MAX_ID,
        help_text="An instructor's user id.",
    )
    tag = filters.CharFilter(method="filter_tag", max_length=100, help_text="A tag slug.")
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_nothing",
        help_text="`newest` (default), `title`, `price`, `-price` or `popular`.",
    )

    class Meta:
        model = CoursePage
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied by CourseFilter.apply_search_and_ordering

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=CourseCategory.descendant_ids(value))

    def filter_price(self, queryset, name, value):
        return queryset.filter(price=0) if value == "free" else queryset.filter(price__gt=0)

    def filter_instructor(self, queryset, name, value):
        return queryset.filter(course_instructors__user_id=int(value))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__slug=value)

    def apply_search_and_ordering(self, queryset):
        query = search_terms(self.form.cleaned_data.get("q") or "")
        ordering = self.form.cleaned_data.get("ordering")
        if self.form.cleaned_data.get("q") and not query:
            return queryset.none()  # only punctuation: nothing can match
        if query:
            matches = get_search_backend().search(
                query, CoursePage.objects.live(), order_by_relevance=not ordering
            )
            ids = [page.pk for page in matches]
            queryset = queryset.filter(pk__in=ids)
            if not ordering:
                rank = Case(
                    *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)),
                    output_field=IntegerField(),
                )
                return queryset.order_by(rank, "pk")
        return queryset.order_by(*ORDERINGS[ordering or "newest"])
