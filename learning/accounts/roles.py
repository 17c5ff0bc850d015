"""Roles are Django groups with model permissions, so other packages ask
``user.has_perm(...)`` and never import this module.

| role       | group        | can                                                        |
|------------|--------------|------------------------------------------------------------|
| student    | Students     | learn (every new sign-up)                                  |
| instructor | Instructors  | enter the admin, author courses, upload and manage own videos |
| editor     | Editors      | enter the admin, review and publish, manage every video, |
|            |              | decide instructor requests                                 |
| admin      | (superuser)  | everything, including changing anyone's roles              |

Groups and their permissions are synchronised after every ``migrate`` (idempotent), so a
fresh database and an upgraded one end up the same. Page permissions on the course tree are
granted on the catalog by ``cms.authoring`` (here, and when a catalog is created).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

STUDENT, INSTRUCTOR, EDITOR, ADMIN = "student", "instructor", "editor", "admin"
ROLES = (STUDENT, INSTRUCTOR, EDITOR, ADMIN)

# role -> group name (admin is Django's/Wagtail's superuser flag, not a group)
ROLE_GROUPS = {STUDENT: "Students", INSTRUCTOR: "Instructors", EDITOR: "Editors"}

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    STUDENT: (),
    INSTRUCTOR: (
        "wagtailadmin.access_admin",
        "media_pipeline.add_videoasset",  # owners manage their own videos without more
        "cms.teach_course",
        "cms.view_coursecategory",
        # Announcements of their own courses (the admin's policy checks the course).
        "notifications.add_announcement",
        "notifications.change_announcement",
        "notifications.delete_announcement",
        "notifications.view_announcement",
    ),
    EDITOR: (
        "wagtailadmin.access_admin",
        "media_pipeline.add_videoasset",
        "media_pipeline.change_videoasset",
        "media_pipeline.manage_all_videoassets",
        "cms.review_course",
        "cms.add_coursecategory",
        "cms.change_coursecategory",
        "cms.delete_coursecategory",
        "cms.view_coursecategory",
        "accounts.view_instructorrequest",
        "accounts.change_instructorrequest",
        "accounts.review_instructorrequest",
        "accounts.view_user",
        "certificates.view_certificate",
        "certificates.manage_certificates",
        "notifications.add_announcement",
        "notifications.change_announcement",
        "notifications.delete_announcement",
        "notifications.view_announcement",
    ),
}


def _permissions(dotted: tuple[str, ...]) -> list[Permission]:
    if not dotted:
        return []
    query = Q()
    for name in dotted:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = set(dotted) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"Permissions do not exist (yet): {', '.join(sorted(missing))}")
    return found


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """Create the role groups and give each exactly its listed permissions (plus any that
    other features granted on top, which are kept)."""
    groups = {}
    for role, group_name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(ROLE_PERMISSIONS[role]))
        groups[role] = group
    # Page and media permissions on the course catalog, and the course review workflow.
    from cms.authoring import ensure_course_authoring

    ensure_course_authoring()
    return groups


def roles_of(user) -> list[str]:
    """The user's roles in a stable order. Uses prefetched groups when available."""
    if not user.is_authenticated:
        return []
    names = {group.name for group in user.groups.all()}
    roles = [role for role, group_name in ROLE_GROUPS.items() if group_name in names]
    if user.is_superuser:
        roles.append(ADMIN)
    return roles


def role_group(role: str) -> Group:
    return Group.objects.get(name=ROLE_GROUPS[role])
