from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with roles and email verification in the list and filters."""

    user_viewset = "learning.accounts.admin_views.UserViewSet"
