import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from ops.readiness import run_checks


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches no database, cache or network."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: database, cache, broker and storage all answer. 503 names what does not."""
    results = run_checks()
    failing = [r.name for r in results if not r.ok]
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {r.name: r.as_dict() for r in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics of this process (requests, latencies, database, cache)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    return ExportToDjangoView(request)
