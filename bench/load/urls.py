"""The product's URLs plus the two baselines the load test compares with."""

from django.http import JsonResponse
from django.urls import path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from config.urls import urlpatterns as product_urlpatterns


def bare(request):
    """The floor: a Django view that returns a small JSON document, no database."""
    return JsonResponse({"ok": True, "items": list(range(10))})


wagtail_v2 = WagtailAPIRouter("wagtailapi")
wagtail_v2.register_endpoint("pages", PagesAPIViewSet)

urlpatterns = [
    path("bench/bare/", bare),
    path("bench/wagtail/v2/", wagtail_v2.urls),
    *product_urlpatterns,
]
