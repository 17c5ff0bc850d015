from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.accounts.urls import auth_patterns, me_patterns, user_patterns
from api.views import ApiRootView, legacy_v1_reserved

v2_patterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("auth/", include(auth_patterns)),
    path("me/", include(me_patterns)),
    path("users/", include(user_patterns)),
    path("media/", include("api.media.urls")),  # media pipeline
]

urlpatterns = [
    path("v2/", include((v2_patterns, "v2"), namespace="v2")),
    re_path(r"^v1/(?P<path>.*)$", legacy_v1_reserved, name="api-v1-reserved"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
