import pytest
from django.contrib.auth.models import Group

from learning.accounts import roles

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrate_with_their_permissions():
    for role, group_name in roles.ROLE_GROUPS.items():
        group = Group.objects.get(name=group_name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert set(roles.ROLE_PERMISSIONS[role]) <= granted


def test_sync_roles_is_idempotent():
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_roles()
    roles.sync_roles()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_roles_map_to_permissions_other_packages_check():
    from tests.factories import UserFactory

    editor = UserFactory(roles=["editor"])
    instructor = UserFactory(roles=["instructor"])
    student = UserFactory()
    assert editor.has_perm("accounts.review_instructorrequest")
    assert editor.has_perm("wagtailadmin.access_admin")
    assert instructor.has_perm("wagtailadmin.access_admin")
    assert not instructor.has_perm("accounts.review_instructorrequest")
    assert not student.has_perm("wagtailadmin.access_admin")
    media = ("add_videoasset", "change_videoasset", "manage_all_videoassets")
    assert [editor.has_perm(f"media_pipeline.{p}") for p in media] == [True, True, True]
    assert [instructor.has_perm(f"media_pipeline.{p}") for p in media] == [True, False, False]
    assert [student.has_perm(f"media_pipeline.{p}") for p in media] == [False, False, False]
