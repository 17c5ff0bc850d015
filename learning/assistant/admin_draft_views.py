"""Instructor help in the Wagtail admin: draft a course outline, draft quiz questions.

Both write drafts only (:mod:`learning.assistant.authoring`); the instructor lands on the
page editor to change and, through the usual workflow, publish them. A reply of the model
that cannot be used is an error message on the form, and nothing is created.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from cms.models import CourseIndexPage, CourseLevel, SectionPage
from learning.assistant import authoring, errors

TEMPLATE = "assistant/admin/draft_form.html"


class OutlineForm(forms.Form):
    topic = forms.CharField(
        max_length=300, help_text=_("What the course teaches, e.g. “Python for data analysis”.")
    )
    level = forms.ChoiceField(choices=CourseLevel.choices)
    goals = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What learners can do after the course, one goal a line."),
    )


class QuizForm(forms.Form):
    lesson = forms.ChoiceField(help_text=_("The lesson whose text the questions are about."))
    count = forms.IntegerField(
        min_value=1,
        max_value=authoring.MAX_QUESTIONS,
        initial=5,
        label=_("Questions"),
        help_text=_("How many single-choice questions to draft."),
    )

    def __init__(self, *args, lessons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = lessons


def _unusable(request, exc: errors.AssistantError) -> None:
    messages.error(
        request,
        _("The model's draft could not be used (%(reason)s). Nothing was created; try again.")
        % {"reason": exc.message},
    )


class OutlineDraftView(View):
    """Topic, level and goals → a draft course with draft sections and lesson titles."""

    def _parent(self, request) -> CourseIndexPage:
        parent = CourseIndexPage.objects.order_by("path").first()
        if parent is None or not parent.permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        return parent

    def _render(self, request, form, parent):
        return TemplateResponse(
            request,
            TEMPLATE,
            {
                "form": form,
                "available": authoring.available(),
                "intro": _(
                    "Describe the course; the AI drafts its sections and lesson titles as a "
                    "draft course you then edit. Nothing is published."
                ),
                "submit_label": _("Draft the outline"),
                "back_url": reverse("wagtailadmin_explore", args=[parent.pk]),
                "page_title": _("Draft a course outline"),
                "header_title": _("Draft a course outline with AI"),
                "header_icon": "list-ul",
            },
        )

    def get(self, request):
        parent = self._parent(request)
        return self._render(request, OutlineForm(), parent)

    def post(self, request):
        parent = self._parent(request)
        form = OutlineForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, parent)
        try:
            course = authoring.outline_draft(user=request.user, parent=parent, **form.cleaned_data)
        except errors.AssistantError as exc:
            _unusable(request, exc)
            return self._render(request, form, parent)
        messages.success(
            request,
            _("Drafted “%(title)s”: review and edit it; nothing is published.")
            % {"title": course.title},
        )
        return redirect("wagtailadmin_explore", course.pk)


class QuizDraftView(View):
    """A lesson's text → draft quiz questions in a new draft revision of its section."""

    def _section(self, request, section_id: int) -> SectionPage:
        section = get_object_or_404(SectionPage, pk=section_id)
        if not section.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return section

    def _render(self, request, form, section):
        return TemplateResponse(
            request,
            TEMPLATE,
            {
                "form": form,
                "available": authoring.available(),
                "intro": _(
                    "The AI drafts single-choice questions from the lesson's text and adds them "
                    "as a quiz lesson after it, in a draft of this section. Review them; "
                    "nothing is published."
                ),
                "submit_label": _("Draft the questions"),
                "back_url": reverse("wagtailadmin_pages:edit", args=[section.pk]),
                "page_title": _("Draft quiz questions"),
                "header_title": _("Draft quiz questions for “%(title)s”")
                % {"title": section.title},
                "header_icon": "help",
            },
        )

    def get(self, request, section_id: int):
        section = self._section(request, section_id)
        form = QuizForm(lessons=authoring.lesson_choices(section))
        return self._render(request, form, section)

    def post(self, request, section_id: int):
        section = self._section(request, section_id)
        form = QuizForm(request.POST, lessons=authoring.lesson_choices(section))
        if not form.is_valid():
            return self._render(request, form, section)
        try:
            authoring.quiz_draft(
                user=request.user,
                section=section,
                lesson_id=form.cleaned_data["lesson"],
                count=form.cleaned_data["count"],
            )
        except errors.AssistantError as exc:
            _unusable(request, exc)
            return self._render(request, form, section)
        messages.success(
            request, _("Drafted quiz questions in a draft of this section: review them.")
        )
        return redirect("wagtailadmin_pages:edit", section.pk)
