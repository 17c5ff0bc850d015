from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
