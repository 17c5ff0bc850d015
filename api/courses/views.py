"""Course content API: the catalog, a course with its outline, lesson bodies and previews.

Reads only. Lesson bodies of lessons that are not free previews go through the one access
policy, :func:`learning.access.ensure_can_open_lesson`.

What an anonymous client sees is built once per published state and cached
(:mod:`api.courses.cache`) and, once cached, sent to anonymous JSON clients before DRF's
dispatch (:mod:`api.courses.public`); a signed-in learner's state is merged into a copy per
request.
Responses carry ``ETag`` (and, when public, ``Last-Modified``) and answer ``304`` to a current
conditional request (:mod:`api.conditional`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.absolute import absolute_urls
from api.conditional import conditional_response, etag_of, public_cache_control
from api.courses import cache as responses
from api.courses import serializers as s
from api.courses.filters import CourseFilter
from api.courses.public import AnonymousFromCache
from api.learning.serializers import CourseWithLearnerSerializer, EnrollmentSerializer
from cms import headless, selectors
from cms.models import CoursePage, SectionPage
from learning import access
from learning.enrollment import selectors as enrollment_selectors
from learning.progress import selectors as progress_selectors

TAGS = ["courses"]


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        operation_id="courses_list",
        description="Published courses. Filter by category (with subcategories), level, "
        "language, free or paid, instructor and tag; search with `q`; order with `ordering`. "
        "An invalid filter value is a 400 naming the parameter."
        " Conditional: `ETag` (and `Last-Modified` when anonymous); `If-None-Match` gives `304`. "
        "Anonymous responses are `Cache-Control: public`, signed-in ones `private, no-cache`.",
    )
)
class CourseListView(AnonymousFromCache, ListAPIView):
    conditional_get = True  # documents 304 (api.schema)
    permission_classes = [AllowAny]
    serializer_class = s.CourseSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CoursePage.objects.none()
        return selectors.catalog_courses()

    def cached_public(self, request, **kwargs):
        entry = responses.cached_catalog_page(request)
        return None if entry is None else (entry, public_cache_control())

    def list(self, request, *args, **kwargs):
        build = super().list
        entry = responses.catalog_page(request, lambda: dict(build(request).data))
        return conditional_response(
            request,
            responses.data_of(entry),
            etag=entry["etag"],
            last_modified=entry["built_at"],
            public=not request.user.is_authenticated,
        )

    def filter_queryset(self, queryset):
        filterset = CourseFilter(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        return filterset.apply_search_and_ordering(filterset.qs)


def _outline(course: CoursePage) -> dict:
    return headless.course_outline(course, lambda: selectors.live_sections(course))


class CourseDetailView(AnonymousFromCache, APIView):
    conditional_get = True  # documents 304 (api.schema)
    permission_classes = [AllowAny]

    def cached_public(self, request, course_id: int, **kwargs):
        entry = responses.cached_course(request, course_id)
        return None if entry is None else (entry, public_cache_control())

    @extend_schema(
        tags=TAGS,
        operation_id="courses_retrieve",
        responses=CourseWithLearnerSerializer,
        description="A published course and its outline: sections in order with their "
        "lessons (id, kind, title, minutes, free preview, optional, video duration). No "
        "lesson bodies. For an enrolled learner, `my_enrollment` holds percent complete and "
        "`next_lesson_id` (where to resume), and each outline lesson its `progress`."
        " Conditional: `ETag` (and `Last-Modified` when anonymous); `If-None-Match` gives `304`. "
        "Anonymous responses are `Cache-Control: public`, signed-in ones `private, no-cache`.",
    )
    def get(self, request, course_id: int):
        entry = responses.course_detail(
            request, course_id, lambda: _anonymous_course(request, course_id)
        )
        if entry is None:
            raise Http404
        data = responses.data_of(entry)
        if not request.user.is_authenticated:
            return conditional_response(
                request,
                data,
                etag=entry["etag"],
                last_modified=entry["built_at"],
                public=True,
            )
        enrollment = enrollment_selectors.current_enrollment(request.user, course_id)
        outline, enrollment_data = _with_learner_state(
            request.user, {"sections": data["sections"]}, enrollment
        )
        data = {**data, "sections": outline["sections"], "my_enrollment": enrollment_data}
        return conditional_response(request, data, etag=etag_of(data), public=False)


def _anonymous_course(request, course_id: int) -> tuple[dict, object] | None:
    """A live course as an anonymous client sees it, and when it expires."""
    course = selectors.live_course(course_id)
    if course is None:
        return None
    outline, _ = _with_learner_state(None, _outline(course), None)
    context = {
        "request": request,
        "outline": outline,
        "prerequisites": list(selectors.live_prerequisites(course)),
    }
    data = dict(s.CourseDetailSerializer(course, context=context).data)
    data["my_enrollment"] = None
    return data, course.expire_at


def _with_learner_state(user, outline: dict, enrollment) -> tuple[dict, dict | None]:
    """A copy of the (shared, cached) outline with the learner's state on every lesson (null
    for people who are not enrolled), and their enrollment."""
    states = progress_selectors.lesson_states(user, enrollment.course_id) if enrollment else None
    sections = [
        {
            **section,
            "lessons": [
                {
                    **lesson,
                    "progress": None
                    if states is None
                    else progress_selectors.lesson_state(states.get(lesson["id"])),
                }
                for lesson in section["lessons"]
            ],
        }
        for section in outline["sections"]
    ]
    if enrollment is None:
        return {**outline, "sections": sections}, None
    ordered = [lesson["id"] for section in outline["sections"] for lesson in section["lessons"]]
    context = {
        "lesson_ids": {enrollment.course_id: ordered},
        "states": {enrollment.course_id: states},
    }
    return (
        {**outline, "sections": sections},
        EnrollmentSerializer(enrollment, context=context).data,
    )


def _public_lesson_cache_control() -> str:
    seconds = headless.lesson_cache_seconds() // 2  # the body's signed URLs stay valid
    return public_cache_control(
        min(settings.API_CACHE_MAX_AGE, seconds), min(settings.API_CACHE_STALE_SECONDS, seconds)
    )


class LessonView(AnonymousFromCache, APIView):
    conditional_get = True  # documents 304 (api.schema)
    permission_classes = [AllowAny]

    def cached_public(self, request, course_id: int, lesson_id, **kwargs):
        entry = responses.cached_lesson(request, course_id, str(lesson_id))
        if entry is None or not entry["free_preview"]:
            return None  # the view answers (403 enrollment_required to anonymous clients)
        return entry, _public_lesson_cache_control()

    @extend_schema(
        tags=TAGS,
        operation_id="courses_lessons_retrieve",
        responses={200: s.LessonSerializer},
        description="A lesson's body as typed blocks (a union discriminated by `kind`; "
        "content blocks and questions by `type`). Free-preview lessons are open to everyone; "
        "others to the course's learners, instructors and reviewers, and answer 403 "
        "`enrollment_required` to others. Quiz questions come without their answers or "
        "explanations. For an enrolled learner `progress` holds their state and resume "
        "position (null for others). Reading a lesson changes nothing: to start it and make "
        "it the last lesson, the client sends `POST …/lessons/{lesson_id}/open/`."
        " Conditional: `ETag` (and `Last-Modified` when anonymous); `If-None-Match` gives `304`. "
        "Anonymous responses are `Cache-Control: public`, signed-in ones `private, no-cache`.",
    )
    def get(self, request, course_id: int, lesson_id):
        lesson_id = str(lesson_id)
        entry = responses.lesson(
            request, course_id, lesson_id, lambda: _anonymous_lesson(request, course_id, lesson_id)
        )
        if entry is None:
            raise Http404
        if not request.user.is_authenticated:
            access.ensure_can_open_lesson(None, None, free_preview=entry["free_preview"])
            return conditional_response(
                request,
                responses.data_of(entry),
                etag=entry["etag"],
                last_modified=entry["built_at"],
                public=True,
                cache_control=_public_lesson_cache_control(),
            )
        course = CoursePage(pk=course_id)  # the access policy reads only its id
        enrolled = access.is_current_learner(request.user, course)
        access.ensure_can_open_lesson(
            request.user, course, free_preview=entry["free_preview"], enrolled=enrolled
        )
        progress = None
        if enrolled:
            progress = progress_selectors.lesson_state(
                progress_selectors.lesson_progress(request.user, course_id, lesson_id)
            )
        data = {**responses.data_of(entry), "progress": progress}
        return conditional_response(request, data, etag=etag_of(data), public=False)


def _anonymous_lesson(request, course_id: int, lesson_id: str) -> tuple | None:
    """A live lesson's body as an anonymous client would see it if allowed, whether it is a
    free preview, and when its course expires."""
    course = selectors.live_course(course_id)
    if course is None:
        return None
    found = headless.find_lesson(_outline(course), lesson_id)
    if found is None:
        return None
    section, lesson = found
    body = headless.cached_lesson_body(
        course,
        section["id"],
        lesson["id"],
        lambda: selectors.live_section(course, section["id"]),
    )
    if body is None:
        return None
    body = {**body, "course_id": course.pk, "section_id": section["id"], "progress": None}
    return absolute_urls(body, request), lesson["free_preview"], course.expire_at


# --- Headless preview -------------------------------------------------------------------------

PREVIEWABLE = {"cms.coursepage": CoursePage, "cms.sectionpage": SectionPage}


class PreviewQuerySerializer(serializers.Serializer):
    content_type = serializers.ChoiceField(
        choices=[(key, key) for key in PREVIEWABLE], help_text="As given to the preview URL."
    )
    token = serializers.CharField(max_length=500, help_text="As given to the preview URL.")


class PreviewSerializer(serializers.Serializer):
    content_type = serializers.CharField()
    course = CourseWithLearnerSerializer(allow_null=True)
    section = s.OutlineSectionSerializer(allow_null=True)
    lessons = s.lesson_union(many=True)


class PreviewView(APIView):
    """What an editor sees in the admin's preview, for the headless frontend: the same JSON
    as the live API, built from the unsaved page the preview token names."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAGS,
        operation_id="courses_preview",
        parameters=[PreviewQuerySerializer],
        responses={
            200: PreviewSerializer,
            404: OpenApiResponse(description="Unknown or expired token."),
        },
        description="Preview of a course or section being edited. The admin's preview opens "
        "the frontend with `content_type` and a signed `token`; tokens expire.",
    )
    def get(self, request):
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        model = PREVIEWABLE[query.validated_data["content_type"]]
        token = query.validated_data["token"]
        try:
            model.get_preview_signer().unsign(
                token, max_age=settings.HEADLESS_PREVIEW_TOKEN_MAX_AGE
            )
        except signing.BadSignature as exc:
            raise Http404 from exc
        page = model.get_page_from_preview_token(token)
        if page is None:
            raise Http404
        if isinstance(page, CoursePage):
            sections = selectors.draft_sections(page)
            outline, _ = _with_learner_state(None, headless.outline_of_sections(sections), None)
            context = {"request": request, "outline": outline}
            course = s.CourseDetailSerializer(page, context=context).data
            body = {"course": {**course, "my_enrollment": None}, "section": None}
        else:
            sections = [page]
            body = {"course": None, "section": headless.section_outline(page)}
        lessons = [
            {
                **headless.lesson_body(section, child.id, context={"request": request}),
                "progress": None,
            }
            for section in sections
            for child in headless.lesson_children(section)
        ]
        body = {"content_type": query.validated_data["content_type"], **body, "lessons": lessons}
        return Response(absolute_urls(body, request))
