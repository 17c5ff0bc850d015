"""Who may do what with videos: Django model permissions plus ownership, nothing else.

Roles are groups carrying these permissions (granted by the roles setup):

- ``media_pipeline.add_videoasset``: upload videos (instructors, editors).
- ``media_pipeline.change_videoasset``: edit, caption and re-process videos one may see.
- ``media_pipeline.manage_all_videoassets``: see and manage everyone's videos (editors).

Superusers have every permission. Playback goes through one policy function named by the
``MEDIA_PLAYBACK_POLICY`` setting, so the learning apps can admit a course's learners later.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

UPLOAD = "media_pipeline.add_videoasset"
CHANGE = "media_pipeline.change_videoasset"
MANAGE_ALL = "media_pipeline.manage_all_videoassets"


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_upload(user) -> bool:
    return _authenticated(user) and user.has_perm(UPLOAD)


def can_use_library(user) -> bool:
    """May list videos at all (own ones, or everyone's)."""
    return _authenticated(user) and (user.has_perm(UPLOAD) or user.has_perm(MANAGE_ALL))


def visible_filter(user) -> Q:
    """Videos ``user`` may see in the library: everyone's for managers, else their own."""
    if not can_use_library(user):
        return Q(pk__in=[])
    if user.has_perm(MANAGE_ALL):
        return Q()
    return Q(owner_id=user.pk)


def can_view(user, asset) -> bool:
    return can_use_library(user) and (asset.owner_id == user.pk or user.has_perm(MANAGE_ALL))


def can_manage(user, asset) -> bool:
    """May edit, caption, re-process, complete or abort the upload of ``asset``."""
    return can_view(user, asset) and (user.has_perm(CHANGE) or asset.owner_id == user.pk)


def can_play(user, asset) -> bool:
    """The default playback policy: the owner and whoever manages all videos."""
    if not _authenticated(user):
        return False
    return asset.owner_id == user.pk or user.has_perm(MANAGE_ALL)


def playback_allowed(user, asset) -> bool:
    """Apply the configured playback policy (``MEDIA_PLAYBACK_POLICY``)."""
    policy = import_string(settings.MEDIA_PLAYBACK_POLICY)
    return bool(policy(user, asset))
