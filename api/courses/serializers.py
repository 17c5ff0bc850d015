"""Course content as JSON. The live API and the preview API use these same serializers.

Lesson bodies are built by the lesson blocks (``cms.blocks``); the serializers below the
"Lesson bodies" line document their shape in OpenAPI as discriminated unions (``kind`` for
lessons, ``type`` for content blocks and questions).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.absolute import absolute_urls
from api.serializers import tagged_union
from cms.blocks import renditions_of, rich_text_html
from cms.models import CourseLevel, CoursePage, CourseStats, Currency
from cms.selectors import COVER_RENDITIONS
from learning.progress.models import LessonStatus


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class CoverSerializer(serializers.Serializer):
    """Cover renditions, cropped to 16:9 and never upscaled: ``width``/``height`` are the
    rendition's real size, at most the named one (a cover smaller than 800x450 gives a
    smaller card). Cover images should be at least 800x450."""

    alt = serializers.CharField()
    thumbnail = RenditionSerializer(help_text="16:9, at most 400x225.")
    card = RenditionSerializer(help_text="16:9, at most 800x450.")


class InstructorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    path = serializers.CharField(help_text="The category with its parents, e.g. `Code / Python`.")


def _cover(course: CoursePage) -> dict | None:
    image = course.cover_image
    if image is None:
        return None
    return {"alt": image.default_alt_text, **renditions_of(image, COVER_RENDITIONS)}


class CourseSummarySerializer(serializers.Serializer):
    """A course in the catalog."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The path of the course's page on the site.")
    cover = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    level = serializers.ChoiceField(choices=CourseLevel.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    currency = serializers.ChoiceField(choices=Currency.choices)
    is_free = serializers.BooleanField()
    total_minutes = serializers.SerializerMethodField()
    lesson_count = serializers.SerializerMethodField()
    instructors = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField(
        allow_null=True, help_text="Null in the preview of a course never published."
    )

    def get_url(self, course) -> str | None:
        # get_url_parts keeps the site root paths on the request: one cache read per request
        # (get_url() would read them once per course, or query the Site with a request).
        parts = course.get_url_parts(request=self.context.get("request"))
        return parts[2] if parts else None

    @extend_schema_field(CoverSerializer(allow_null=True))
    def get_cover(self, course):
        return absolute_urls(_cover(course), self.context.get("request"))

    @extend_schema_field(CategorySerializer(allow_null=True))
    def get_category(self, course):
        category = course.category
        if category is None:
            return None
        return {
            "id": category.pk,
            "slug": category.slug,
            "name": category.name,
            "path": str(category),
        }

    def get_tags(self, course) -> list[str]:
        return sorted(tag.name for tag in course.tags.all())

    def _stat(self, course, name: str) -> int:
        try:
            return getattr(course.stats, name)
        except CourseStats.DoesNotExist:
            return 0

    def get_total_minutes(self, course) -> int:
        return self._stat(course, "total_minutes")

    def get_lesson_count(self, course) -> int:
        return self._stat(course, "lesson_count")

    @extend_schema_field(InstructorSerializer(many=True))
    def get_instructors(self, course):
        return [
            {"id": ci.user.pk, "name": ci.user.public_name}
            for ci in course.course_instructors.all()
        ]


class LessonStateSerializer(serializers.Serializer):
    """A learner's state in one lesson."""

    status = serializers.ChoiceField(choices=LessonStatus.choices)
    percent = serializers.IntegerField(
        help_text="Share of the lesson done, 0-100 (videos: unique time watched)."
    )
    position = serializers.FloatField(help_text="Where to resume the video, in seconds.")
    completed_at = serializers.DateTimeField(allow_null=True)


class OutlineLessonSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The lesson's permanent id.")
    kind = serializers.CharField(help_text="`video`, `reading` or `quiz`.")
    title = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    free_preview = serializers.BooleanField(help_text="Open to everyone, without enrolling.")
    optional = serializers.BooleanField(
        help_text="Not needed to complete the course; does not count toward percent complete."
    )
    video_duration = serializers.FloatField(
        allow_null=True, help_text="Seconds, for video lessons; null otherwise."
    )
    progress = LessonStateSerializer(
        allow_null=True, required=False, help_text="Your state; null unless you are enrolled."
    )


class OutlineSectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.SlugField()
    summary = serializers.CharField()
    lessons = OutlineLessonSerializer(many=True)


class PrerequisiteCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()


class EnrollmentSettingsSerializer(serializers.Serializer):
    open = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    access_days = serializers.IntegerField(
        allow_null=True, help_text="Days of access after enrolling; null for no limit."
    )


class CourseDetailSerializer(CourseSummarySerializer):
    """A course with its outline: ordered sections and their lessons, never lesson bodies.
    The outline comes in the serializer context (``outline``), cached per published state."""

    description_html = serializers.SerializerMethodField()
    learning_outcomes = serializers.SerializerMethodField()
    prerequisites_html = serializers.SerializerMethodField()
    prerequisite_courses = serializers.SerializerMethodField()
    enrollment = serializers.SerializerMethodField()
    video_completion_threshold = serializers.IntegerField(
        help_text="Percent of a video to watch for the lesson to count as done."
    )
    certificate_enabled = serializers.BooleanField()
    ai_tutor_enabled = serializers.BooleanField()
    last_published_at = serializers.DateTimeField(
        allow_null=True, help_text="Null in the preview of a course never published."
    )
    sections = serializers.SerializerMethodField()

    def get_description_html(self, course) -> str:
        return rich_text_html(_RichText(course.description))

    def get_prerequisites_html(self, course) -> str:
        return rich_text_html(_RichText(course.prerequisites))

    def get_learning_outcomes(self, course) -> list[str]:
        return [str(child.value) for child in course.learning_outcomes]

    @extend_schema_field(PrerequisiteCourseSerializer(many=True))
    def get_prerequisite_courses(self, course):
        return [
            {"id": c.pk, "slug": c.slug, "title": c.title}
            for c in self.context.get("prerequisites", [])
        ]

    @extend_schema_field(EnrollmentSettingsSerializer)
    def get_enrollment(self, course):
        return {
            "open": course.enrollment_open,
            "capacity": course.capacity,
            "opens_at": course.enrollment_opens_at,
            "closes_at": course.enrollment_closes_at,
            "access_days": course.access_days,
        }

    def get_total_minutes(self, course) -> int:
        return self.context["outline"]["total_minutes"]

    def get_lesson_count(self, course) -> int:
        return self.context["outline"]["lesson_count"]

    @extend_schema_field(OutlineSectionSerializer(many=True))
    def get_sections(self, course):
        return self.context["outline"]["sections"]


class _RichText:
    """Adapter: a RichTextField's stored HTML, shaped like a RichTextBlock value."""

    def __init__(self, source: str) -> None:
        self.source = source or ""

    def __bool__(self) -> bool:
        return bool(self.source)


# --- Lesson bodies (documentation of the shapes built by cms.blocks) --------------------------


class _Block(serializers.Serializer):
    type = serializers.CharField(help_text="The block type (the union's discriminator).")
    id = serializers.UUIDField()


class ParagraphBlockSerializer(_Block):
    html = serializers.CharField(help_text="HTML with links resolved to URLs.")


class HeadingBlockSerializer(_Block):
    text = serializers.CharField()
    level = serializers.CharField(help_text="`h2` or `h3`.")


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = serializers.DictField(
        child=RenditionSerializer(), help_text="`medium` (≤ 800 px) and `large` (≤ 1600 px)."
    )


class ImageBlockSerializer(_Block):
    image = ImageSerializer(allow_null=True)
    alt_text = serializers.CharField()
    caption = serializers.CharField()


class CodeBlockSerializer(_Block):
    language = serializers.CharField(help_text="e.g. `python`, `javascript`, `sql`.")
    code = serializers.CharField()
    caption = serializers.CharField()


class CalloutBlockSerializer(_Block):
    style = serializers.CharField(help_text="`info`, `tip` or `warning`.")
    title = serializers.CharField()
    html = serializers.CharField()


class EmbedBlockSerializer(_Block):
    url = serializers.URLField()
    caption = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    file_extension = serializers.CharField()


class DocumentBlockSerializer(_Block):
    document = DocumentSerializer(allow_null=True)
    description = serializers.CharField()


ReadingBlockSerializer = tagged_union(
    "ReadingBlock",
    {
        "paragraph": ParagraphBlockSerializer,
        "heading": HeadingBlockSerializer,
        "image": ImageBlockSerializer,
        "code": CodeBlockSerializer,
        "callout": CalloutBlockSerializer,
        "embed": EmbedBlockSerializer,
        "document": DocumentBlockSerializer,
    },
    field="type",
    many=True,
)


class _Question(_Block):
    prompt_html = serializers.CharField()
    points = serializers.IntegerField()


class ChoiceSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The choice id answers refer to.")
    text = serializers.CharField()


class ChoiceQuestionSerializer(_Question):
    choices = ChoiceSerializer(many=True)


class TrueFalseQuestionSerializer(_Question):
    pass


class NumericQuestionSerializer(_Question):
    unit = serializers.CharField()


class ShortTextQuestionSerializer(_Question):
    pass


QUESTION_SERIALIZERS = {
    "single_choice": ChoiceQuestionSerializer,
    "multiple_choice": ChoiceQuestionSerializer,
    "true_false": TrueFalseQuestionSerializer,
    "numeric": NumericQuestionSerializer,
    "short_text": ShortTextQuestionSerializer,
}


def question_union(**kwargs):
    return tagged_union("Question", QUESTION_SERIALIZERS, field="type", **kwargs)


class _Lesson(serializers.Serializer):
    id = serializers.UUIDField(help_text="The lesson's permanent id.")
    kind = serializers.CharField(help_text="The lesson kind (the union's discriminator).")
    title = serializers.CharField()
    summary = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    free_preview = serializers.BooleanField()
    optional = serializers.BooleanField()
    video_duration = serializers.FloatField(allow_null=True)
    progress = LessonStateSerializer(
        allow_null=True, help_text="Your state and resume position; null unless you are enrolled."
    )
    course_id = serializers.IntegerField(
        required=False, help_text="The lesson's course (in the lesson's own response)."
    )
    section_id = serializers.IntegerField(
        required=False, help_text="The lesson's section (in the lesson's own response)."
    )


class ReadingBodySerializer(serializers.Serializer):
    content = ReadingBlockSerializer


class ReadingLessonSerializer(_Lesson):
    body = ReadingBodySerializer()


class QuizBodySerializer(serializers.Serializer):
    instructions_html = serializers.CharField()
    pass_mark = serializers.IntegerField(help_text="Percent of points needed to pass.")
    attempt_limit = serializers.IntegerField(help_text="0 means unlimited.")
    shuffle = serializers.BooleanField()
    time_limit_minutes = serializers.IntegerField(
        help_text="Minutes an attempt may last once started; 0 means no limit."
    )
    feedback = serializers.ChoiceField(
        choices=["after_each_attempt", "once_passed", "never"],
        help_text="When a graded attempt shows the correct answers and explanations.",
    )
    questions = question_union(many=True)


class QuizLessonSerializer(_Lesson):
    body = QuizBodySerializer(help_text="Questions without correct answers or explanations.")


class VideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField(help_text="Processing state; only `ready` videos play.")
    duration_seconds = serializers.FloatField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    poster_url = serializers.CharField()


class LessonVideoSerializer(serializers.Serializer):
    video = VideoSerializer(
        allow_null=True, help_text="Playback URLs come from the media playback endpoint."
    )
    title = serializers.CharField()
    caption = serializers.CharField()


class CheckpointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    at_seconds = serializers.FloatField()
    graded = serializers.BooleanField(help_text="Whether it counts toward the course grade.")
    question = question_union()


class VideoBodySerializer(serializers.Serializer):
    video = LessonVideoSerializer()
    checkpoints = CheckpointSerializer(many=True)
    notes_html = serializers.CharField()


class VideoLessonSerializer(_Lesson):
    body = VideoBodySerializer(help_text="Checkpoint questions come without their answers.")


LESSON_SERIALIZERS = {
    "video": VideoLessonSerializer,
    "reading": ReadingLessonSerializer,
    "quiz": QuizLessonSerializer,
}


def lesson_union(**kwargs):
    return tagged_union("Lesson", LESSON_SERIALIZERS, field="kind", **kwargs)


LessonSerializer = lesson_union()
