from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views import defaults
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api.problems import problem_response
from learning.accounts import admin_views as account_admin_views
from learning.certificates import views as certificate_views
from ops import views as ops_views

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("django-admin/", admin.site.urls),
    # Wagtail's sign-in form with brute-force protection (same URL name, found first).
    path(
        "admin/login/", account_admin_views.ThrottledLoginView.as_view(), name="wagtailadmin_login"
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("api.urls")),
    path("learn/", include("frontend.urls")),  # the reference student frontend
    path(
        "certificates/verify/<str:code>/",
        certificate_views.verify_page,
        name="certificate-verify-page",
    ),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

# Wagtail serves everything else: the site's pages.
urlpatterns += [path("", include(wagtail_urls))]


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return problem_response(status=404, code="not_found", detail="No such API endpoint.")
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return problem_response(
            status=500, code="server_error", detail="Something went wrong on our side."
        )
    return defaults.server_error(request)
