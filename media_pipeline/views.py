"""Wagtail admin: the video library, direct-to-storage upload, a video's page (live progress,
captions, re-processing) and the video chooser used by ``VideoChooserBlock``.

Instructors see their own videos, editors everyone's (``manage_all_videoassets``). The upload
page's script talks to the same v2 API as every other client, so the bytes go straight to
storage (S3 presigned URLs or the local chunk endpoint) and never through an admin form.
"""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.forms import Media, Script
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

import config.converters  # noqa: F401  (registers the <id:> converter)
from media_pipeline import access, endpoints, selectors, services
from media_pipeline import storage as media_storage
from media_pipeline.errors import MediaError
from media_pipeline.models import VideoAsset

Status = VideoAsset.Status


class VideoPermissionPolicy(BasePermissionPolicy):
    """Wagtail's view of :mod:`media_pipeline.access` (ownership + model permissions)."""

    def user_has_permission(self, user, action):
        if action == "add":
            return access.can_upload(user)
        if action in ("change", "view"):
            return access.can_use_library(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "view":
            return access.can_view(user, instance)
        if action == "change":
            return access.can_manage(user, instance)
        return False

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        return VideoAsset.objects.filter(access.visible_filter(user))

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


permission_policy = VideoPermissionPolicy(VideoAsset)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def stage_label(asset: VideoAsset) -> str:
    """What processing is doing now, in words (progress.js says the same as it updates)."""
    if asset.status == Status.AWAITING_UPLOAD:
        return _("Waiting for the upload to finish…")
    if asset.status == Status.UPLOADED:
        return _("Uploaded. Waiting for a worker to start processing…")
    if asset.status == Status.PROCESSING:
        return _("Processing… %(percent)s %%") % {"percent": asset.progress}
    return ""


def poster_url(asset: VideoAsset) -> str:
    if not asset.poster.name:
        return ""
    return media_storage.signed_url(asset.poster.name, expires=3600)


# --- Library ---------------------------------------------------------------------------------


class ThumbnailColumn(Column):
    cell_template_name = "media_pipeline/admin/thumbnail_cell.html"

    def get_value(self, instance):
        return poster_url(instance)


class DurationColumn(Column):
    def get_value(self, instance):
        return format_duration(instance.duration_seconds)


class StatusColumn(StatusTagColumn):
    def get_value(self, instance):
        if instance.status == Status.PROCESSING:
            return f"{instance.get_status_display()} {instance.progress}%"
        return instance.get_status_display()


def _owners(request):
    visible = selectors.video_assets_visible_to(request.user).values("owner_id")
    return get_user_model().objects.filter(pk__in=visible).order_by("email")


class VideoFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))

    class Meta:
        model = VideoAsset
        fields = ["status", "owner"]


class VideoIndexView(IndexView):
    model = VideoAsset
    page_title = _("Videos")
    add_item_label = _("Upload a video")
    header_icon = "media"
    any_permission_required = ["add", "change", "view"]
    filterset_class = VideoFilterSet
    default_ordering = "-created_at"
    paginate_by = 30

    def get_base_queryset(self):
        return selectors.video_assets_visible_to(self.request.user)

    @cached_property
    def columns(self):
        return [
            ThumbnailColumn("poster", label=_("Poster")),
            TitleColumn("title", label=_("Title"), url_name=self.edit_url_name, sort_key="title"),
            StatusColumn("status", label=_("Status"), primary=lambda v: v.status == Status.READY),
            DurationColumn("duration_seconds", label=_("Duration"), sort_key="duration_seconds"),
            Column("owner", label=_("Owner")),
            DateColumn("created_at", label=_("Uploaded"), sort_key="created_at"),
        ]

    def get_add_url(self):
        return reverse(self.add_url_name) if access.can_upload(self.request.user) else None


def admin_script(name: str) -> Media:
    """A page's own admin script, loaded with ``defer`` so it runs after the DOM it uses
    (Wagtail renders page scripts before the page content)."""
    # A relative path: resolved by the static files storage when rendered, not at import.
    return Media(js=[Script(f"media_pipeline/{name}", defer=True)])


class VideoUploadView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "media_pipeline/admin/upload.html"
    page_title = _("Upload a video")
    media = admin_script("upload.js")
    header_icon = "media"
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not access.can_upload(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Videos")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        placeholder = 987654321
        context.update(
            accept=",".join(
                [*self.request_settings["types"].keys(), *self.request_settings["types"].values()]
            ),
            max_bytes=self.request_settings["max_bytes"],
            types_json=json.dumps(self.request_settings["types"]),
            create_url=endpoints.url("upload_create"),
            complete_url_template=endpoints.url("upload_complete", pk=placeholder),
            resume_url_template=endpoints.url("upload_detail", pk=placeholder),
            abort_url_template=endpoints.url("upload_abort", pk=placeholder),
            edit_url_template=reverse(self.edit_url_name, args=[placeholder]),
            placeholder=placeholder,
            media=self.media,
        )
        return context

    def post(self, request, *args, **kwargs):
        # The form is sent by its script; a plain submit means the script did not run.
        messages.error(request, _("Uploading needs JavaScript. Reload the page and try again."))
        return self.get(request, *args, **kwargs)

    @property
    def request_settings(self) -> dict:
        from django.conf import settings

        return {
            "types": settings.MEDIA_UPLOAD_ALLOWED_TYPES,
            "max_bytes": settings.MEDIA_UPLOAD_MAX_BYTES,
        }


class RenameForm(forms.Form):
    title = forms.CharField(max_length=255, label=_("Title"))


class CaptionForm(forms.Form):
    language = forms.CharField(
        max_length=35, label=_("Language"), help_text=_("BCP 47 tag, e.g. en or pt-BR.")
    )
    label = forms.CharField(max_length=100, required=False, label=_("Label"))
    file = forms.FileField(label=_("WebVTT or SRT file"))


class VideoDetailView(WagtailAdminTemplateMixin, TemplateView):
    """A video's page: poster, live processing progress, metadata, captions, actions."""

    template_name = "media_pipeline/admin/detail.html"
    header_icon = "media"
    media = admin_script("progress.js")
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not access.can_use_library(request.user):
            raise PermissionDenied
        self.asset = selectors.video_asset_detail(pk=kwargs["pk"])
        if self.asset is None or not access.can_view(request.user, self.asset):
            raise Http404
        if request.method == "POST" and not access.can_manage(request.user, self.asset):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.asset.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Videos")},
            {"url": "", "label": self.asset.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asset = self.asset
        context.update(
            asset=asset,
            poster_url=poster_url(asset),
            duration=format_duration(asset.duration_seconds),
            can_manage=access.can_manage(self.request.user, asset),
            rename_form=kwargs.get("rename_form") or RenameForm(initial={"title": asset.title}),
            caption_form=kwargs.get("caption_form") or CaptionForm(),
            detail_api_url=endpoints.url("video_detail", pk=asset.pk),
            socket_path=f"/ws/media/{asset.pk}/",
            finished=asset.status in (Status.READY, Status.FAILED),
            stage_label=stage_label(asset),
            media=self.media,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "rename":
                form = RenameForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(rename_form=form))
                services.video_update(asset=self.asset, title=form.cleaned_data["title"])
                messages.success(request, _("Video renamed."))
            elif action == "caption":
                form = CaptionForm(request.POST, request.FILES)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(caption_form=form))
                services.caption_upload(
                    asset=self.asset,
                    language=form.cleaned_data["language"],
                    label=form.cleaned_data["label"],
                    content=form.cleaned_data["file"].read(),
                )
                messages.success(request, _("Captions saved."))
            elif action == "reprocess":
                services.video_reprocess(asset=self.asset)
                messages.success(request, _("Processing started again."))
            else:
                messages.error(request, _("Unknown action."))
        except MediaError as error:
            messages.error(request, error.message)
        return redirect(reverse(self.edit_url_name, args=[self.asset.pk]))


class LibraryMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_use_library(request.user)


class VideoLibraryViewSet(ViewSet):
    name = "videos"
    url_prefix = "videos"
    icon = "media"
    menu_label = _("Videos")
    menu_order = 250
    add_to_admin_menu = True

    def get_menu_item(self, order=None):
        return LibraryMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )

    def _names(self) -> dict:
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
        }

    def get_urlpatterns(self):
        index = dict(
            permission_policy=permission_policy,
            index_results_url_name=self.get_url_name("index_results"),
            add_url_name=self.get_url_name("add"),
            **self._names(),
        )
        return [
            path("", VideoIndexView.as_view(**index), name="index"),
            path(
                "results/",
                VideoIndexView.as_view(**index, results_only=True),
                name="index_results",
            ),
            path("upload/", VideoUploadView.as_view(**self._names()), name="add"),
            path("<id:pk>/", VideoDetailView.as_view(**self._names()), name="edit"),
        ]


# --- Chooser ---------------------------------------------------------------------------------


class VideoChooserMixin:
    """Only videos the user may see, not abandoned or failed ones, newest first."""

    def get_object_list(self):
        return (
            VideoAsset.objects.filter(access.visible_filter(self.request.user))
            .exclude(status__in=[Status.AWAITING_UPLOAD, Status.FAILED])
            .select_related("owner")
            .order_by("-created_at", "-id")
        )

    @property
    def columns(self):
        return [
            *super().columns,
            StatusColumn("status", label=_("Status")),
            DurationColumn("duration_seconds", label=_("Duration")),
        ]


class VideoChooseView(VideoChooserMixin, ChooseView):
    pass


class VideoChooseResultsView(VideoChooserMixin, ChooseResultsView):
    pass


class VideoChosenView(ChosenView):
    def get_object(self, pk):
        asset = super().get_object(pk)
        if not access.can_view(self.request.user, asset):
            raise Http404
        return asset


class VideoChooserViewSet(ChooserViewSet):
    model = VideoAsset
    icon = "media"
    choose_one_text = _("Choose a video")
    choose_another_text = _("Choose another video")
    edit_item_text = _("Open video")
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView
    chosen_view_class = VideoChosenView
    per_page = 20


video_library_viewset = VideoLibraryViewSet()
video_chooser_viewset = VideoChooserViewSet("video_chooser", url_prefix="videos/chooser")
