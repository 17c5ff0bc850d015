"""Certificates in the Wagtail admin: a read-only listing (snippet viewset: search by code,
filters by status and course, inspect) for editors, with Revoke and Re-issue actions.
Certificates are never created, edited or deleted by hand."""

from __future__ import annotations

import django_filters
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from cms.models import CoursePage
from learning.certificates import admin_views, selectors
from learning.certificates.models import Certificate

READ_ONLY_ACTIONS = {"view"}


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Viewing needs ``view_certificate``; nobody adds, edits or deletes by hand."""

    def user_has_permission(self, user, action):
        return action in READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CertificateFilterSet(WagtailFilterSet):
    code = django_filters.CharFilter(label=_("Code"), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (Certificate.Status.VALID, _("Valid")),
            (Certificate.Status.REVOKED, _("Revoked")),
        ],
        method="filter_status",
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=CoursePage.objects.order_by("title")
    )

    class Meta:
        model = Certificate
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(revoked_at__isnull=value == Certificate.Status.VALID)


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("replaced_by")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not selectors.can_manage(self.request.user):
            return buttons
        if instance.is_valid:
            buttons.append(
                ListingButton(
                    _("Revoke"),
                    url=reverse("certificate_actions:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        if not getattr(instance, "replaced_by", None) and not instance.holder_removed:
            buttons.append(
                ListingButton(
                    _("Re-issue"),
                    url=reverse("certificate_actions:reissue", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=50,
                )
            )
        return buttons


class CertificateViewSet(SnippetViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_name = "certificates"
    menu_order = 660
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = CertificateIndexView
    filterset_class = CertificateFilterSet
    list_per_page = 50
    ordering = ["-issued_at", "-pk"]
    list_display = [
        "code",
        Column("holder_display", label=_("Holder")),
        Column("course_title", label=_("Course")),
        Column("status", label=_("Status")),
        DateColumn("completed_at", label=_("Completed")),
        DateColumn("issued_at", label=_("Issued")),
    ]
    inspect_view_fields = [
        "code",
        "holder_name",
        "course_title",
        "instructors",
        "completed_at",
        "estimated_minutes",
        "issued_at",
        "revoked_at",
        "revoke_reason",
        "replaces",
        "holder_removed_at",
    ]


register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))
register_snippet(CertificateViewSet)


@hooks.register("register_admin_urls")
def register_certificate_action_urls():
    urls = [
        path("<int:pk>/revoke/", admin_views.CertificateRevokeView.as_view(), name="revoke"),
        path("<int:pk>/reissue/", admin_views.CertificateReissueView.as_view(), name="reissue"),
    ]
    return [path("certificate-actions/", include((urls, "certificate_actions")))]
