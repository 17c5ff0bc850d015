from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail.api.v3.urls import api as wagtail_api

from api.accounts.urls import auth_patterns, me_patterns, user_patterns
from api.assessment import urls as assessment_urls
from api.courses.urls import course_patterns, preview_patterns
from api.learning import urls as learning_urls
from api.views import ApiRootView, legacy_v1_reserved

v2_patterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("auth/", include(auth_patterns)),
    path("me/", include(me_patterns)),
    path("me/", include(learning_urls.me_patterns)),
    path("users/", include(user_patterns)),
    path("courses/", include(course_patterns)),
    path("courses/", include(learning_urls.course_patterns)),
    path("courses/", include(assessment_urls.course_patterns)),
    path("me/", include(assessment_urls.me_patterns)),
    path("attempts/", include(assessment_urls.attempt_patterns)),
    path("progress/", include(learning_urls.progress_patterns)),
    path("preview/", include(preview_patterns)),
    path("media/", include("api.media.urls")),  # media pipeline
]

urlpatterns = [
    path("v2/", include((v2_patterns, "v2"), namespace="v2")),
    # Wagtail's read/write API for authoring clients (API tokens, the admin's page rules).
    path("cms/v3/", wagtail_api.urls),
    re_path(r"^v1/(?P<path>.*)$", legacy_v1_reserved, name="api-v1-reserved"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
