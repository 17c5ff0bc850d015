from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def bare(request):
    """The floor: a Django view that returns a small JSON document, no database."""
    return JsonResponse({"ok": True, "items": list(range(10))})


urlpatterns = [path("bench/bare/", bare), *product_urlpatterns]
