from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks as wagtail_blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin

from cms.blocks import LessonsBlock

# Model permissions that make a role (see learning.accounts.roles): groups holding them are
# the instructors and the reviewers of courses.
TEACH_PERMISSION = "cms.teach_course"
REVIEW_PERMISSION = "cms.review_course"


class HomePage(Page):
    """The site's front page: what Unpuzzle is and where to go next."""

    headline = models.CharField(
        max_length=120,
        default="Learn anything, one piece at a time",
        help_text="The large heading at the top of the home page.",
    )
    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="A short paragraph under the headline.",
    )

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"


class CourseCategory(models.Model):
    """A catalog category; categories nest (``Programming / Python``)."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level category.",
    )
    description = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "course categories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="course_category_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return " / ".join(c.name for c in self.ancestors(include_self=True))

    def ancestors(self, *, include_self: bool = False) -> list[CourseCategory]:
        chain, node, seen = [], (self if include_self else self.parent), set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self) -> None:
        if (
            self.pk
            and self.parent
            and any(c.pk == self.pk for c in self.parent.ancestors(include_self=True))
        ):
            raise ValidationError({"parent": "A category cannot be inside itself."})

    @classmethod
    def descendant_ids(cls, category: CourseCategory) -> set[int]:
        """The category and every category below it (one query)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in cls.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, todo = set(), [category.pk]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, []))
        return found


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    ALL_LEVELS = "all_levels", "All levels"


class Currency(models.TextChoices):
    USD = "USD", "US dollar"
    EUR = "EUR", "Euro"
    GBP = "GBP", "Pound sterling"


def free_slug(slug: str, parent, instance=None) -> str:
    """The first of ``slug-2``, ``slug-3``… that no sibling uses."""
    taken = set(
        parent.get_children()
        .exclude(pk=instance.pk if instance else None)
        .values_list("slug", flat=True)
    )
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


class SlugSuggestingPageForm(WagtailAdminPageForm):
    """A slug clash offers a free slug instead of an error nobody can act on."""

    def clean(self):
        cleaned_data = super().clean()
        slug = self.data.get("slug", "")
        clash = (
            slug
            and "slug" in self.errors
            and self.parent_page is not None
            and not Page._slug_is_available(slug, self.parent_page, self.instance)
        )
        if clash:
            suggestion = free_slug(slug, self.parent_page, self.instance)
            self.errors["slug"] = self.error_class(
                [
                    f"Another page here already uses the slug “{slug}”. "
                    f"Use “{suggestion}” instead (Promote tab)."
                ]
            )
        return cleaned_data


class CoursePageForm(SlugSuggestingPageForm):
    """Course edit form: each instructor listed once. (Checked here rather than by a unique
    constraint: the admin replaces instructor rows in a way that would trip one.)"""

    def is_valid(self):
        valid = super().is_valid()
        formset = self.formsets.get("course_instructors")
        seen = set()
        for form in formset.forms if formset is not None else []:
            data = getattr(form, "cleaned_data", None) or {}
            user = data.get("user")
            if user is None or data.get("DELETE"):
                continue
            if user.pk in seen:
                form.add_error("user", "This person is already an instructor.")
                valid = False
            seen.add(user.pk)
        return valid


class PreviewMixin(HeadlessPreviewMixin):
    """Preview in the headless frontend when one is configured (``HEADLESS_PREVIEW_CLIENT_URL``
    or ``FRONTEND_URL``), otherwise with the site's own templates: the preview then works on
    whatever host and port the admin is served from."""

    def serve_preview(self, request, preview_mode):
        if settings.HEADLESS_PREVIEW_CLIENT_URL:
            return super().serve_preview(request, preview_mode)
        return Page.serve_preview(self, request, preview_mode)


class CourseIndexPage(PreviewMixin, Page):
    """The catalog: every course lives under it."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = "course catalog"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.live()
            .public()
            .child_of(self)
            .select_related("category", "cover_image")
            .order_by("-first_published_at", "pk")
        )
        return context


class CourseTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


def instructor_users():
    """Users who may be listed as instructors: holders of the teach permission (by a group
    or directly) and superusers."""
    app_label, codename = TEACH_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
    )


def _instructor_choices():
    return Q(pk__in=instructor_users().values("pk"))


class CoursePage(PreviewMixin, Page):
    subtitle = models.CharField(max_length=200, blank=True)
    description = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul", "h3"])
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        CourseCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    tags = ClusterTaggableManager(through=CourseTag, blank=True)
    level = models.CharField(
        max_length=20, choices=CourseLevel.choices, default=CourseLevel.BEGINNER
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="0 means free.",
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    learning_outcomes = StreamField(
        [("outcome", wagtail_blocks.CharBlock(max_length=250, label="Outcome"))],
        blank=True,
        help_text="What learners can do after the course, one per item.",
    )
    prerequisites = RichTextField(blank=True, features=["bold", "italic", "link", "ul"])
    prerequisite_courses = ParentalManyToManyField(
        "cms.CoursePage",
        blank=True,
        related_name="required_by",
        symmetrical=False,
        help_text="Courses learners should finish first.",
    )
    enrollment_open = models.BooleanField(
        default=True, help_text="Closed courses stay visible but take no new learners."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most learners at once; empty for no limit."
    )
    enrollment_opens_at = models.DateTimeField(null=True, blank=True)
    enrollment_closes_at = models.DateTimeField(null=True, blank=True)
    access_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Days a learner keeps access after enrolling (unfinished enrollments then "
        "expire); empty for no limit.",
    )
    video_completion_threshold = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="Percent of a video a learner must watch for the lesson to count as done.",
    )
    certificate_enabled = models.BooleanField(
        default=True, help_text="Learners who complete the course get a certificate."
    )
    ai_tutor_enabled = models.BooleanField(
        default=True, help_text="Learners can ask the AI tutor about this course."
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("subtitle"),
        index.SearchField("description"),
        index.FilterField("level"),
        index.FilterField("language"),
    ]
    # Wagtail's read/write API (authoring clients). Lessons are authored in the admin.
    api_fields = [
        APIField("subtitle", writable=True),
        APIField("level", writable=True),
        APIField("language", writable=True),
        APIField("price", writable=True),
        APIField("currency", writable=True),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("subtitle"),
        FieldPanel("cover_image"),
        FieldPanel("description"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldPanel("prerequisite_courses", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Prerequisites",
        ),
    ]
    details_panels = [
        FieldPanel("category"),
        FieldPanel("tags"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("language")]),
        FieldRowPanel([FieldPanel("price"), FieldPanel("currency")]),
        InlinePanel("course_instructors", heading="Instructors", label="Instructor", min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("enrollment_open"),
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("enrollment_opens_at"), FieldPanel("enrollment_closes_at")]
                ),
                FieldPanel("access_days"),
            ],
            heading="Enrollment",
        ),
        MultiFieldPanel(
            [
                FieldPanel("video_completion_threshold"),
                FieldPanel("certificate_enabled"),
                FieldPanel("ai_tutor_enabled"),
            ],
            heading="Completion and features",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(details_panels, heading="Details"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    parent_page_types = ["cms.CourseIndexPage"]
    subpage_types = ["cms.SectionPage"]
    base_form_class = CoursePageForm

    class Meta:
        verbose_name = "course"
        permissions = [
            ("teach_course", "Can author courses they are an instructor of"),
            ("review_course", "Can review, publish and schedule any course"),
        ]

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def clean(self) -> None:
        super().clean()
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            raise ValidationError({"enrollment_closes_at": "Enrollment must close after it opens."})

    def permissions_for_user(self, user):
        from cms.permissions import CoursePermissionTester

        return CoursePermissionTester(user, self)

    def save_revision(self, *args, **kwargs):
        """Every saved revision (draft or published) brings :class:`CourseStaff` in step with
        the instructors it lists."""
        revision = super().save_revision(*args, **kwargs)
        from cms.services import course_staff_sync

        course_staff_sync(course=self)
        return revision

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "is_preview", False):
            # The draft of every section, as the course will look once approved.
            from cms.selectors import draft_sections

            context["sections"] = draft_sections(self)
        else:
            context["sections"] = SectionPage.objects.live().public().child_of(self)
        context["instructors"] = [ci.user for ci in self.course_instructors.select_related("user")]
        return context


class CourseInstructor(Orderable):
    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="course_instructors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_instructor_of",
        limit_choices_to=_instructor_choices,
        verbose_name="instructor",
        help_text="Someone with the instructor role. A new course starts with its author.",
    )

    panels = [FieldPanel("user")]

    def clean(self) -> None:
        if self.user_id and not instructor_users().filter(pk=self.user_id).exists():
            raise ValidationError({"user": "Only people with the instructor role can teach."})


class CourseStaff(models.Model):
    """Who teaches a course now: the instructors listed on its latest revision, draft or
    live, kept in step by :meth:`CoursePage.save_revision`. ``CourseInstructor`` rows are
    the published list (what learners see); this table is what rights follow, so the
    instructors of a course that was never published (or whose list changed in a draft)
    can edit it and see its roster."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_staff_of"
    )

    class Meta:
        verbose_name_plural = "course staff"
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="course_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} teaches {self.course_id}"


class SectionPage(PreviewMixin, Page):
    """A section of a course; its lessons are a stream of lesson blocks."""

    summary = models.TextField(blank=True)
    lessons = StreamField(LessonsBlock(), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    api_fields = [APIField("summary", writable=True)]
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("lessons")]

    parent_page_types = ["cms.CoursePage"]
    subpage_types: list[str] = []
    base_form_class = SlugSuggestingPageForm

    class Meta:
        verbose_name = "section"

    def permissions_for_user(self, user):
        from cms.permissions import CoursePermissionTester

        return CoursePermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = self.get_parent().specific
        if getattr(request, "is_preview", False):
            # Reviewers see every lesson in full (as learners will), never the answers.
            from cms.preview import lesson_previews

            context["preview_lessons"] = lesson_previews(self, request)
        return context


class CourseStats(models.Model):
    """Numbers about a course's live content, kept up to date when a course or one of its
    sections is published or unpublished (so the catalog reads them without opening
    sections). Learner numbers belong to enrollment (``enrollment.CourseEnrollmentStats``)."""

    course = models.OneToOneField(CoursePage, on_delete=models.CASCADE, related_name="stats")
    section_count = models.PositiveIntegerField(default=0)
    lesson_count = models.PositiveIntegerField(default=0)
    total_minutes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "course stats"

    def __str__(self) -> str:
        return f"Stats of course {self.course_id}"


class CourseLesson(models.Model):
    """Every lesson ever published in a course, one row per course and lesson id, kept in
    step with live content by :func:`cms.services.course_stats_refresh`.

    Learner records (progress, attempts) point here. A lesson that leaves the live course is
    kept with ``is_live=False``: it stops counting toward percentages and its history stays.
    """

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        READING = "reading", "Reading"
        QUIZ = "quiz", "Quiz"

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="lesson_index")
    lesson_id = models.UUIDField(help_text="The lesson's permanent id (its stream block id).")
    section = models.ForeignKey(
        SectionPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(help_text="Order of the lesson in the course.")
    estimated_minutes = models.PositiveIntegerField(default=0)
    optional = models.BooleanField(default=False)
    free_preview = models.BooleanField(default=False)
    video = models.ForeignKey(
        "media_pipeline.VideoAsset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course_lessons",
    )
    is_live = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "lesson_id"], name="course_lesson_unique")
        ]
        indexes = [models.Index(fields=["lesson_id"]), models.Index(fields=["video"])]

    def __str__(self) -> str:
        return self.title
