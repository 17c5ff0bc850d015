"""Under ``/api/``, every error is a problem document, whoever produced it.

DRF views already answer problems. What reaches a client past them is Django's own HTML: the
URL resolver's 404 for an unknown path and, when ``DEBUG`` is on (``make run``), the debug
pages with tracebacks and settings. This middleware replaces any HTML error response under
``/api/`` with the problem document of its status, so API clients never parse HTML and never
see a traceback.
"""

from __future__ import annotations

from django.utils.deprecation import MiddlewareMixin

from api.problems import problem_response

DETAILS = {
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "No such API endpoint."),
    500: ("server_error", "Something went wrong on our side."),
}


class ApiProblemMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            status = response.status_code
            code, detail = DETAILS.get(500 if status >= 500 else status, ("error", None))
            problem = problem_response(
                status=status, code=code, detail=detail or "The request could not be completed."
            )
            for header in ("Allow", "Retry-After", "X-Request-ID"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response
