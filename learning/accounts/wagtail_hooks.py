from wagtail import hooks
from wagtail.permissions import register_permission_policy

from learning.accounts.admin_views import InstructorRequestViewSet, NoCreateDeletePermissionPolicy
from learning.accounts.models import InstructorRequest

register_permission_policy(InstructorRequest, NoCreateDeletePermissionPolicy(InstructorRequest))


@hooks.register("register_admin_viewset")
def register_instructor_requests():
    return InstructorRequestViewSet()
