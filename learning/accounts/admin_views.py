"""Wagtail admin screens for accounts: the user list with roles and verification state,
and the instructor request queue."""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.account import LoginView as WagtailLoginView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.views import users as wagtail_users

from learning.accounts import login_limits, services
from learning.accounts.errors import AccountError
from learning.accounts.models import InstructorRequest
from learning.accounts.roles import roles_of


class UserFilterSet(wagtail_users.UserFilterSet):
    email_verified = django_filters.BooleanFilter(
        field_name="email_verified_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Email verified"),
        widget=django_filters.widgets.BooleanWidget,
    )


class UserIndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("groups")

    @property
    def columns(self):
        columns = list(super().columns)
        columns.insert(
            3,
            Column(
                "roles",
                label=_("Roles"),
                accessor=lambda user: ", ".join(roles_of(user)) or "—",
                width="15%",
            ),
        )
        columns.insert(
            4,
            Column(
                "email_verified",
                label=_("Email verified"),
                accessor=lambda user: _("Yes") if user.email_verified_at else _("No"),
                width="10%",
            ),
        )
        return columns


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = UserIndexView
    filterset_class = UserFilterSet


# --- Instructor requests ----------------------------------------------------------------------


class NoCreateDeletePermissionPolicy(ModelPermissionPolicy):
    """Requests are made by people through the API and never deleted from the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class DecisionForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: make them an instructor")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = InstructorRequest
        fields = ["decision_note"]


class DecideView(generic.EditView):
    """Editing a request means deciding it; the decision goes through the service."""

    success_message = _("Decision saved for %(object)s; they have been emailed.")

    def save_instance(self):
        return services.instructor_request_decide(
            request_id=self.object.pk,
            reviewer=self.request.user,
            approve=self.form.cleaned_data["decision"] == "approve",
            note=self.form.cleaned_data["decision_note"],
        )

    def _refuse(self, form, message):
        form.add_error(None, message)
        self.produced_error_message = message
        return self.form_invalid(form)

    def form_valid(self, form):
        if self.object.status != InstructorRequest.Status.PENDING:
            return self._refuse(form, _("This request has already been decided."))
        try:
            return super().form_valid(form)
        except AccountError as exc:
            return self._refuse(form, exc.message)


class InstructorRequestViewSet(ModelViewSet):
    """The queue editors work through: pending requests first, decided ones for reference."""

    model = InstructorRequest
    icon = "user"
    menu_label = _("Instructor requests")
    menu_order = 610
    add_to_admin_menu = True
    name = "instructor_requests"
    ordering = ["-status", "-created_at"]
    list_display = ["user", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["motivation"]
    edit_view_class = DecideView
    edit_handler = ObjectList(
        [
            FieldPanel("motivation", read_only=True),
            FieldPanel("decision"),
            FieldPanel("decision_note"),
        ],
        base_form_class=DecisionForm,
    )
    inspect_view_enabled = True
    inspect_view_fields = [
        "user",
        "motivation",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    copy_view_enabled = False

    def get_queryset(self, request):
        return InstructorRequest.objects.select_related("user", "decided_by")


class ThrottledLoginView(WagtailLoginView):
    """Wagtail's sign-in form with brute-force protection (:mod:`login_limits`): locked
    accounts and addresses get the form back with a message and HTTP 429, and the password is
    not even checked."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if login_limits.is_locked(request, username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Too many failed sign-in attempts. Wait %(minutes)s minutes, or reset "
                    "your password."
                )
                % {"minutes": max(1, settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60)},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_limits.record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        login_limits.record_success(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)
