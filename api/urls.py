from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail.api.v3.urls import api as wagtail_api

from api.accounts.urls import auth_patterns, me_patterns, user_patterns
from api.analytics import urls as analytics_urls
from api.assessment import urls as assessment_urls
from api.assistant import urls as assistant_urls
from api.certificates import urls as certificate_urls
from api.courses.urls import course_patterns, preview_patterns
from api.learning import urls as learning_urls
from api.notifications import urls as notification_urls
from api.views import ApiRootView, api_not_found, legacy_v1_reserved

v2_patterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("auth/", include(auth_patterns)),
    path("me/", include(me_patterns)),
    path("me/", include(learning_urls.me_patterns)),
    path("me/", include(certificate_urls.me_patterns)),
    path("me/", include(notification_urls.me_patterns)),
    path("users/", include(user_patterns)),
    path("courses/", include(course_patterns)),
    path("courses/", include(learning_urls.course_patterns)),
    path("courses/", include(notification_urls.course_patterns)),
    path("certificates/", include(certificate_urls.certificate_patterns)),
    path("notifications/", include(notification_urls.notification_patterns)),
    path("courses/", include(assessment_urls.course_patterns)),
    path("me/", include(assessment_urls.me_patterns)),
    path("attempts/", include(assessment_urls.attempt_patterns)),
    path("progress/", include(learning_urls.progress_patterns)),
    path("assistant/", include(assistant_urls.assistant_patterns)),  # AI tutor
    path("courses/", include(assistant_urls.course_patterns)),
    path("me/", include(assistant_urls.me_patterns)),
    path("preview/", include(preview_patterns)),
    path("media/", include("api.media.urls")),  # media pipeline
    path("analytics/", include(analytics_urls.analytics_patterns)),  # analytics
    path("me/", include(analytics_urls.me_patterns)),
]

urlpatterns = [
    path("v2/", include((v2_patterns, "v2"), namespace="v2")),
    # Wagtail's read/write API for authoring clients (API tokens, the admin's page rules).
    path("cms/v3/", wagtail_api.urls),
    re_path(r"^v1/(?P<path>.*)$", legacy_v1_reserved, name="api-v1-reserved"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Last: unknown API paths are API 404s, never the site's pages (which would answer a POST
    # with a CSRF failure page).
    re_path(r"^(?P<path>.*)$", api_not_found, name="api-not-found"),
]
