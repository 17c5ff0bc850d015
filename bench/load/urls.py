"""The product's URLs plus the two baselines the load test compares with."""

from django.http import JsonResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from config.urls import urlpatterns as product_urlpatterns


def bare(request):
    """The floor: a Django view that returns a small JSON document, no database."""
    return JsonResponse({"ok": True, "items": list(range(10))})


class PublicPagesAPIViewSet(PagesAPIViewSet):
    permission_classes = [AllowAny]  # the project's DRF default is IsAuthenticated


wagtail_v2 = WagtailAPIRouter("wagtailapi")
wagtail_v2.register_endpoint("pages", PublicPagesAPIViewSet)

urlpatterns = [
    path("bench/bare/", bare),
    path("bench/wagtail/v2/", wagtail_v2.urls),
    *product_urlpatterns,
]
