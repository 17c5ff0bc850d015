from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.problems import problem_response
from api.serializers import ApiRootSerializer


class ApiRootView(APIView):
    """Entry point of the v2 API: where the schema, docs and health endpoints are."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="api_root", responses=ApiRootSerializer, tags=["meta"])
    def get(self, request):
        links = {
            "schema": request.build_absolute_uri(reverse("api-schema")),
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "health": request.build_absolute_uri(reverse("healthz")),
            "readiness": request.build_absolute_uri(reverse("readyz")),
        }
        return Response({"name": "Unpuzzle LMS API", "version": "v2", "links": links})


@csrf_exempt
def api_not_found(request, path=""):
    """Any path under ``/api/`` that no API route matches (never falls through to the site)."""
    return problem_response(status=404, code="not_found", detail="No such API endpoint.")


def legacy_v1_reserved(request, path=""):
    """``/api/v1/`` is reserved for the compatibility layer over the legacy Flask contract."""
    return problem_response(
        status=404,
        code="api_version_unavailable",
        detail="/api/v1/ is reserved for the legacy API contract and is not served yet; "
        "use /api/v2/.",
    )
