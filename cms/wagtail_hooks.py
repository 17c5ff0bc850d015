from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import CourseCategory, CourseIndexPage, CoursePage, SectionPage
from cms.permissions import CoursePagePermissionPolicy

# Registered before anything asks for these models' policy (see register_permission_policy).
for _model in (CoursePage, SectionPage):
    register_permission_policy(_model, CoursePagePermissionPolicy(_model))


class CourseCategoryViewSet(SnippetViewSet):
    model = CourseCategory
    icon = "folder-inverse"
    menu_label = "Course categories"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["__str__", "slug"]


register_snippet(CourseCategoryViewSet)


@hooks.register("after_create_page")
def grant_authoring_on_new_catalog(request, page):
    if isinstance(page.specific_deferred, CourseIndexPage):
        from cms.authoring import ensure_course_authoring

        ensure_course_authoring()


@hooks.register("after_publish_page")
def forget_content_when_scheduled(request, page):
    # Publishing fires Wagtail's page_published signal; scheduling (a go-live time in the
    # future) does not, so cached content is dropped here too.
    from cms.services import course_content_changed

    course_content_changed(page=page)


@hooks.register("register_admin_viewset")
def register_course_page_viewset():
    from cms.admin_views import CoursePageViewSet

    return CoursePageViewSet("course_pages")


@hooks.register("register_admin_viewset")
def register_section_page_viewset():
    from cms.admin_views import SectionPageViewSet

    return SectionPageViewSet("section_pages")
